"""Service-level reports: per team and period, how fast first responses came
(median, in business seconds) and how many targets were breached.

A breach counts in the period its due time falls in; a first response in the
period it was made; so adjacent periods never count the same event twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import Connection, and_, func, select, true

from hubbub.inbox.sla import as_utc
from hubbub.store.tables import conversations, teams


@dataclass(frozen=True)
class BreachCount:
    team_id: int | None
    team_slug: str | None
    first_response: int
    resolution: int


@dataclass
class TeamSlaReport:
    team_id: int | None
    team_slug: str | None
    team_name: str | None
    opened: int = 0
    responded: int = 0
    first_response_median_seconds: float | None = None
    resolved: int = 0
    resolution_median_seconds: float | None = None
    first_response_breaches: int = 0
    resolution_breaches: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _team_names(conn: Connection) -> dict[int, tuple[str, str]]:
    return {
        r.id: (r.slug, r.name) for r in conn.execute(select(teams.c.id, teams.c.slug, teams.c.name))
    }


def _grouped_count(conn: Connection, *where: Any) -> dict[int | None, int]:
    c = conversations.c
    rows = conn.execute(select(c.team_id, func.count()).where(*where).group_by(c.team_id))
    return {r[0]: int(r[1]) for r in rows}


def breach_counts(conn: Connection, since: datetime, until: datetime) -> list[BreachCount]:
    """Breaches per team whose due time falls in [since, until)."""
    since, until = as_utc(since), as_utc(until)
    c = conversations.c
    first = _grouped_count(
        conn,
        c.first_response_breached == true(),
        c.first_response_due_at >= since,
        c.first_response_due_at < until,
    )
    resolution = _grouped_count(
        conn,
        c.resolution_breached == true(),
        c.resolution_due_at >= since,
        c.resolution_due_at < until,
    )
    names = _team_names(conn)
    keys = sorted(set(first) | set(resolution), key=lambda t: (t is None, t or 0))
    return [
        BreachCount(
            team_id=t,
            team_slug=names[t][0] if t in names else None,
            first_response=first.get(t, 0),
            resolution=resolution.get(t, 0),
        )
        for t in keys
    ]


def _medians(
    conn: Connection, column: Any, at: Any, since: datetime, until: datetime
) -> dict[int | None, list[int]]:
    c = conversations.c
    out: dict[int | None, list[int]] = defaultdict(list)
    rows = conn.execute(
        select(c.team_id, column).where(column.is_not(None), and_(at >= since, at < until))
    )
    for team_id, seconds in rows:
        out[team_id].append(int(seconds))
    return out


def sla_report(conn: Connection, since: datetime, until: datetime) -> list[TeamSlaReport]:
    """One row per team with activity in [since, until) (every team is listed;
    conversations without a team come last as team None)."""
    since, until = as_utc(since), as_utc(until)
    c = conversations.c
    names = _team_names(conn)
    reports: dict[int | None, TeamSlaReport] = {
        t: TeamSlaReport(t, slug, name) for t, (slug, name) in sorted(names.items())
    }

    def report(team_id: int | None) -> TeamSlaReport:
        if team_id not in reports:  # a team deleted since, or no team
            reports[team_id] = TeamSlaReport(team_id, None, None)
        return reports[team_id]

    for t, n in _grouped_count(conn, c.opened_at >= since, c.opened_at < until).items():
        report(t).opened = n
    for t, values in _medians(
        conn, c.first_response_seconds, c.first_response_at, since, until
    ).items():
        report(t).responded = len(values)
        report(t).first_response_median_seconds = float(median(values))
    for t, values in _medians(conn, c.resolution_seconds, c.resolved_at, since, until).items():
        report(t).resolved = len(values)
        report(t).resolution_median_seconds = float(median(values))
    for b in breach_counts(conn, since, until):
        report(b.team_id).first_response_breaches = b.first_response
        report(b.team_id).resolution_breaches = b.resolution
    return sorted(reports.values(), key=lambda r: (r.team_id is None, r.team_slug or ""))


DEFAULT_WINDOW = "7d"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_since(text: str | None, now: datetime) -> datetime:
    """A report window's start: a duration back from now ("7d", "24h"), an ISO
    date or time ("2026-05-01"), or "all"; raises ValueError."""
    from hubbub.analytics.query_preview import parse_duration

    value = (text or DEFAULT_WINDOW).strip()
    if value.lower() == "all":
        return EPOCH
    try:
        return now - parse_duration(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"since: {value!r} is neither a duration like 7d nor a date") from err
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
