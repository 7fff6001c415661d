"""`hubbub inbox list|show` over seeded conversations, on both databases."""

from __future__ import annotations

import json

import pytest
import typer
from rich.console import Console
from sqlalchemy import Engine
from typer.testing import CliRunner

from hubbub.config import Settings
from hubbub.interfaces.cli import commands_inbox
from hubbub.interfaces.cli.commands_inbox import register

from .bulk_seed import Spec, insert_conversations


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, typer.Typer]:
    if settings.database_url:
        monkeypatch.setenv("HUBBUB_DATABASE_URL", settings.database_url)
    # a wide console, as in a terminal: CliRunner's default 80 columns wrap the table
    monkeypatch.setattr(commands_inbox, "console", Console(width=200))
    root = typer.Typer()
    root.callback()(lambda: None)
    register(root)
    return CliRunner(), root


def test_list_and_show(
    engine: Engine, settings: Settings, cli: tuple[CliRunner, typer.Typer]
) -> None:
    runner, app = cli
    seeded = insert_conversations(
        engine,
        [
            Spec(
                subject="Refund [bold]please[/bold]",
                priority="urgent",
                team="customer-service",
                author_name="Zoë",
                text="Refund [bold]please[/bold] <b>now</b>",
            ),
            Spec(subject="Dark mode?", status="pending", team="product"),
        ],
    )
    obj = {"home": str(settings.home)}
    r = runner.invoke(app, ["inbox", "list", "--json"], obj=obj)
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert [i["subject"] for i in body["items"]] == ["Refund [bold]please[/bold]"]
    assert body["status_counts"]["pending"] == 1 and body["items"][0]["team"] == "customer-service"
    r = runner.invoke(app, ["inbox", "list", "--status", "any", "--queue", "team:product"], obj=obj)
    assert r.exit_code == 0 and "Dark mode?" in r.output and "Refund" not in r.output
    r = runner.invoke(app, ["inbox", "list", "--queue", "team:nope"], obj=obj)
    assert r.exit_code == 1 and "no team" in r.output
    cid = seeded.conversation_ids[0]
    r = runner.invoke(app, ["inbox", "show", str(cid)], obj=obj)
    assert r.exit_code == 0, r.output
    assert "[bold]please[/bold]" in r.output  # shown as typed, not as Rich markup
    assert "Zoë" in r.output and "urgent" in r.output
    shown = json.loads(runner.invoke(app, ["inbox", "show", str(cid), "--json"], obj=obj).output)
    assert shown["timeline"][0]["text"] == "Refund [bold]please[/bold] <b>now</b>"
    assert runner.invoke(app, ["inbox", "show", "999999"], obj=obj).exit_code == 1
