"""`hubbub train intent` and `hubbub eval intent`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from hubbub.interfaces.cli.commands_models import eval_app, train_app
from hubbub.interfaces.cli.common import err, fail, workspace

if TYPE_CHECKING:
    from hubbub.enrich.intent_train import EvalReport

console = Console()


def _home(ctx: typer.Context) -> Path:
    from hubbub.config import load_settings

    return load_settings((ctx.find_root().obj or {}).get("home")).home


def _training_file(data: Path) -> Path:
    return data / "train.jsonl" if data.is_dir() else data


@train_app.command("intent")
def train_intent(
    ctx: typer.Context,
    data: Annotated[
        Path,
        typer.Option(help="Labelled JSONL, or a folder holding train.jsonl (data/intents)."),
    ] = Path("data/intents"),
    corrections: Annotated[
        bool,
        typer.Option("--corrections", help="Also train on people's corrections in the workspace."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Model file to write. Default: the workspace's models/intent.json."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the cross-validation folds and fits.")] = 7,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
) -> None:
    """Train the intent model: cross-validated scores, then the model file and its version."""
    from hubbub.enrich.intent import workspace_model_path
    from hubbub.enrich.intent_train import DataError, Example, parse_labels, read_examples, train

    try:
        examples = read_examples(_training_file(data))
    except DataError as exc:
        fail(str(exc))
    added = 0
    if corrections:
        from hubbub.actions.intents import corrected_examples

        ws = workspace(ctx)
        with ws.engine.connect() as conn:
            found = corrected_examples(conn)
        for text, labels in found:
            try:
                examples.append(Example(text, parse_labels(labels, "correction"), "", "correction"))
            except DataError as exc:
                err.print(f"skipped a correction: {exc}")
                continue
            added += 1
    target = out or workspace_model_path(_home(ctx))
    err.print(
        f"Training on {len(examples):,} posts ({added:,} corrections), {folds}-fold "
        f"cross-validation, seed {seed}..."
    )
    try:
        result = train(examples, seed=seed, folds=folds, corrections=added)
    except DataError as exc:
        fail(str(exc))
    console.print(_report_table(result.cv_report, f"Cross-validation on {data} ({folds} folds)"))
    tried = ", ".join(f"C={c:g}: {f1:.3f}" for c, f1 in result.cv_by_c.items())
    console.print(f"Macro-F1 by regularisation: {tried}; chose C={result.model.trained['C']:g}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.model.to_json(), encoding="utf-8")
    console.print(f"Wrote {target} (version {result.model.version}).")


@eval_app.command("intent")
def eval_intent(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled JSONL, e.g. data/intents/heldout.jsonl.")],
    model: Annotated[
        Path | None,
        typer.Option(help="Model file. Default: the one the enricher uses in this workspace."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="One threshold for every label instead of the tuned ones."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The scores as one JSON object.")] = False,
) -> None:
    """Per-intent precision, recall and F1 of the model on labelled posts."""
    from hubbub.config import load_settings
    from hubbub.enrich.intent import IntentModelError, load_model, model_path_for
    from hubbub.enrich.intent_train import DataError, evaluate, read_examples

    path = model or model_path_for(load_settings((ctx.find_root().obj or {}).get("home")))
    try:
        loaded = load_model(path)
        examples = read_examples(file)
    except (IntentModelError, DataError) as exc:
        fail(str(exc))
    report = evaluate(loaded, examples, threshold)
    if as_json:
        body = {"file": str(file), "model": loaded.version, **report.as_dict()}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
        return
    console.print(
        _report_table(report, f"{file} ({report.examples:,} posts), model {loaded.version}")
    )
    console.print(_confusion_table(report))


def _report_table(report: EvalReport, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("intent", "precision", "recall", "F1", "support", "predicted"):
        table.add_column(name, justify="left" if name == "intent" else "right")
    for s in report.per_label:
        table.add_row(
            s.label,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            str(s.support),
            str(s.predicted),
        )
    table.add_section()
    table.add_row("macro-F1", "", "", f"{report.macro_f1:.3f}", str(report.examples), "")
    table.add_row("micro-F1", "", "", f"{report.micro_f1:.3f}", "", "")
    table.add_row("exact match", "", "", f"{report.exact_match:.3f}", "", "")
    return table


def _confusion_table(report: EvalReport) -> Table:
    labels = list(report.confusion)
    table = Table(
        title="True intent (rows) by predicted intent (columns): posts with both",
        title_justify="left",
    )
    table.add_column("true \\ predicted")
    for label in labels:
        table.add_column(_short(label), justify="right")
    for truth in labels:
        row = report.confusion[truth]
        table.add_row(
            truth,
            *(
                f"[bold]{row[p]}[/bold]" if p == truth else (str(row[p]) if row[p] else "·")
                for p in labels
            ),
        )
    return table


def _short(label: str) -> str:
    return {"purchase_intent": "purchase", "feature_request": "feature", "bug_report": "bug"}.get(
        label, label
    )
