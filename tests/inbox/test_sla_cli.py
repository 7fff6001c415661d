"""`hubbub sla ...` and `hubbub notify deliver` in process, on a real workspace."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hubbub.actions import sla
from hubbub.config import Settings
from hubbub.interfaces.cli import commands_sla
from hubbub.post import utcnow

from .group_cli import GroupCli
from .sla_helpers import make_conversation, make_team, make_user, notices
from .test_notifications import Receiver


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> GroupCli:
    return GroupCli(settings, monkeypatch, commands_sla.register)


def test_sla_commands(engine: Engine, cli: GroupCli, tmp_path: Path) -> None:
    team = make_team(engine, "customer-service")
    ana = make_user(engine, "ana@example.com", teams=("customer-service",))
    opened = utcnow() - timedelta(hours=2)
    cid = make_conversation(engine, opened, team_id=team, assignee_id=ana, priority="urgent")
    with engine.begin() as conn:
        sla.apply_sla(conn, cid, opened)
    assert "1 breach(es) marked" in cli("sla", "check")
    assert "0 breach(es) marked" in cli("sla", "check")
    assert [n["user_id"] for n in notices(engine)] == [ana]
    out = cli("sla", "targets", "customer-service", "--priority", "high",
              "--first-response", "45m", "--resolution", "none")  # fmt: skip
    assert "45m" in out
    with engine.connect() as conn:
        high = next(p for p in sla.policies_for(conn, team) if p.priority == "high")
    assert (high.first_response_minutes, high.resolution_minutes) == (45, None)
    hours = tmp_path / "hours.json"
    hours.write_text(json.dumps({"timezone": "UTC", "days": {"mon": [["08:00", "16:00"]]}}))
    out = cli("sla", "hours", "customer-service", "--file", str(hours))
    assert json.loads(out)["days"] == {"mon": [["08:00", "16:00"]]}
    assert "around the clock" in cli("sla", "hours", "customer-service", "--clear")
    report = json.loads(cli("sla", "report", "--since", "1d", "--json"))
    cs = next(r for r in report if r["team_slug"] == "customer-service")
    assert (cs["opened"], cs["first_response_breaches"], cs["resolution_breaches"]) == (1, 1, 0)


def test_notify_deliver_command(
    engine: Engine, cli: GroupCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = Receiver()
    receiver.start()
    try:
        monkeypatch.setenv("HUBBUB_NOTIFY_WEBHOOK_URL", receiver.url)
        make_user(engine, "root@example.com", "admin")
        opened = utcnow() - timedelta(hours=1)
        cid = make_conversation(engine, opened, priority="urgent")
        with engine.begin() as conn:
            sla.apply_sla(conn, cid, opened)
        cli("sla", "check")
        out = cli("notify", "deliver")
        assert "planned 1, sent 1, retrying 0, failed 0" in out
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()
