"""`hubbub train ...` and `hubbub eval ...`: our own models, trained and scored
from labelled data. Each model's commands live in their own module and attach
to these two groups."""

from __future__ import annotations

import typer

train_app = typer.Typer(help="Train Hubbub's own models from labelled data.", no_args_is_help=True)
eval_app = typer.Typer(help="Score Hubbub's models on labelled data.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    # Importing a model's command module adds its commands to the two groups.
    from hubbub.interfaces.cli import (
        commands_intent,  # noqa: F401
        commands_sentiment,  # noqa: F401
    )

    app.add_typer(train_app, name="train")
    app.add_typer(eval_app, name="eval")
