"""`hubbub rules ...` through Typer against a real workspace (both stores)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hubbub.config import Settings
from hubbub.inbox.routing import load_rules
from hubbub.inbox.routing.defaults import DEFAULT_RULES
from hubbub.interfaces.cli.commands_rules import register
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post

from .group_cli import GroupCli


@pytest.fixture
def run(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> GroupCli:
    return GroupCli(settings, monkeypatch, register)


def test_rules_commands(run: GroupCli, engine: Engine, settings: Settings, tmp_path: Path) -> None:
    assert "Rules created: 7" in run("rules", "defaults")
    assert "Teams created: none. Rules created: 0." in run("rules", "defaults")
    listed = run("rules", "list")
    assert "High-reach negative posts → PR" in listed and "author has ≥ 10,000" in listed
    now = datetime.now(UTC)
    Pipeline(engine, settings).ingest_posts([
        Post(platform="bluesky", external_id=f"at://p/{n}", text=text, created_at=now - timedelta(days=days))
        for n, (text, days) in enumerate([("Where is my refund?", 1), ("refund pls", 20), ("hi", 1)])
    ])  # fmt: skip
    rule = tmp_path / "rule.json"
    rule.write_text(json.dumps({
        "name": "Refunds first",
        "conditions": {"all": [{"type": "keywords", "words": ["refund"]}]},
        "actions": [{"type": "assign_team", "team": "customer-service"}, {"type": "set_priority", "priority": "high"}],
    }))  # fmt: skip
    tested = run("rules", "test", "--file", str(rule), "--since", "7d")
    assert "would have fired on 1 of 2 posts since 7d" in tested and "Where is my refund?" in tested
    as_json = json.loads(run("rules", "test", "--file", str(rule), "--since", "all", "--json"))
    assert (as_json["fired"], as_json["evaluated"]) == (2, 3)
    assert as_json["per_team"] == [{"team": "customer-service", "count": 2}]
    assert "Saved rule" in run("rules", "add", "--file", str(rule), "--position", "1")
    with engine.connect() as conn:
        rules = load_rules(conn)
    assert [r.name for r in rules][:2] == ["Refunds first", DEFAULT_RULES[0]["name"]]
    assert "already exists" in run("rules", "add", "--file", str(rule), ok=False)
    rule.write_text(
        json.dumps({"name": "x", "conditions": {"all": [{"type": "vibes"}]}, "actions": []})
    )
    assert "conditions.all[0].type: unknown condition 'vibes'" in run(
        "rules", "add", "-f", str(rule), ok=False
    )
    rule.write_text("{")
    assert "not JSON" in run("rules", "test", "-f", str(rule), ok=False)
    assert f"Deleted rule {rules[0].id}" in run("rules", "delete", str(rules[0].id))
    assert "no routing rule" in run("rules", "delete", str(rules[0].id), ok=False)
