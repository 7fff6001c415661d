"""`hubbub train sentiment` and `hubbub eval sentiment`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from hubbub.enrich.training.recipe import SHIPPED
from hubbub.interfaces.cli.commands_models import eval_app, train_app
from hubbub.interfaces.cli.common import err, fail

if TYPE_CHECKING:
    from hubbub.enrich.training.metrics import Scores

console = Console()


@train_app.command("sentiment")
def train_sentiment(
    data: Annotated[
        Path,
        typer.Option(help="Folder of SemEval twitter-*-A.txt files (shared/data/sentiment/...)."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Artifact to write. Default: the one shipped in the package."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 13,
    epochs: Annotated[int, typer.Option(min=1, help="Fine-tuning epochs.")] = SHIPPED.epochs,
    frozen_layers: Annotated[
        int,
        typer.Option(
            min=0,
            max=5,
            help="MiniLM layers kept as packaged (of 6); the ones above are fine-tuned "
            "and shipped (each adds ~3.5 MB to the artifact).",
        ),
    ] = SHIPPED.frozen_layers,
    examples_per_epoch: Annotated[
        int | None,
        typer.Option(
            min=10,
            help="Training tweets drawn per epoch, to bound a run's CPU time. Default: all 45,575.",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(help="Keep the frozen layers' output here, to re-train quickly."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=10, help="Use at most this many tweets per split (a quick run)."),
    ] = None,
    threads: Annotated[int | None, typer.Option(min=1, help="Torch threads.")] = None,
) -> None:
    """Train the sentiment model (MiniLM top layers + n-grams + VADER) and print
    its scores on the held-out 2016 files."""
    import torch

    from hubbub.enrich.sentiment_trained.model import ARTIFACT
    from hubbub.enrich.training.finetune import FinetuneConfig
    from hubbub.enrich.training.sentiment import train_sentiment as train

    if threads:
        torch.set_num_threads(threads)
    config = FinetuneConfig(
        epochs=epochs,
        frozen_layers=frozen_layers,
        examples_per_epoch=examples_per_epoch,
        seed=seed,
    )
    try:
        result = train(
            data,
            out or ARTIFACT,
            seed=seed,
            config=config,
            cache_dir=cache_dir,
            limit=limit,
            log=lambda message: err.print(message, highlight=False),
        )
    except FileNotFoundError as exc:
        fail(str(exc))
    table = Table(title=f"Validation scores, model {result.version}")
    for column in ("split/model", "macro recall", "macro F1", "accuracy"):
        table.add_column(column)
    for name, s in result.scores.items():
        table.add_row(
            name, f"{s['macro_recall']:.4f}", f"{s['macro_f1']:.4f}", f"{s['accuracy']:.4f}"
        )
    console.print(table)
    console.print(f"Saved {result.path}", soft_wrap=True)


def _print_scores(scores: Scores, model: str, path: Path) -> None:
    console.print(f"[bold]{model}[/bold] on {path} ({scores.count} posts)", soft_wrap=True)
    low, high = scores.macro_recall_interval
    console.print(
        f"macro recall  {scores.macro_recall:.4f}  (95% bootstrap interval {low:.3f}-{high:.3f})"
    )
    console.print(f"macro F1      {scores.macro_f1:.4f}")
    console.print(f"accuracy      {scores.accuracy:.4f}")
    table = Table(title="Confusion matrix (rows: true label, columns: predicted)")
    table.add_column("true \\ predicted")
    for label in scores.labels:
        table.add_column(label, justify="right")
    table.add_column("recall", justify="right")
    for label, row in zip(scores.labels, scores.confusion, strict=True):
        table.add_row(label, *(str(v) for v in row), f"{scores.recall[label]:.3f}")
    console.print(table)


@eval_app.command("sentiment")
def eval_sentiment(
    file: Annotated[
        Path, typer.Argument(help="JSONL with text and label, or a SemEval .txt file.")
    ],
    model: Annotated[str, typer.Option(help="Backend: vader or minilm.")] = "minilm",
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score a sentiment backend on labelled posts: macro recall (SemEval's
    metric), macro F1, accuracy and the confusion matrix."""
    from hubbub.enrich.sentiment import BACKENDS, SentimentEnricher
    from hubbub.enrich.training.metrics import score
    from hubbub.enrich.training.sentiment_data import LABEL_INDEX, LABELS, read_labelled
    from hubbub.post import Post

    if not file.is_file():
        fail(f"no such file: {file}")
    if model not in BACKENDS:
        fail(f"unknown model {model!r}; known: {', '.join(sorted(BACKENDS))}")
    data = read_labelled(file)
    for problem in data.skipped[:20]:
        err.print(f"skipped {problem}", highlight=False)
    if not data.texts:
        fail(f"no labelled posts in {file}")
    try:
        enricher = SentimentEnricher(model)
    except FileNotFoundError as exc:
        fail(str(exc))
    posts = [Post("eval", str(i), text) for i, text in enumerate(data.texts)]
    predicted = []
    for lo in range(0, len(posts), 500):
        predicted += [LABEL_INDEX[r["label"]] for r in enricher.enrich(posts[lo : lo + 500])]
    scores = score(data.labels, predicted, LABELS)
    if as_json:
        out = scores.as_dict() | {"model": model, "file": str(file), "skipped": len(data.skipped)}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    _print_scores(scores, model, file)
