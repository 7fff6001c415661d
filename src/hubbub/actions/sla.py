"""Service levels: due times from the team's policy and business hours, the
measured first-response and resolution times, breach marks and their
notifications, and the policy/business-hours settings.

The clocks (docs/service-levels.md):
- both start when the conversation opens and count business time of the
  conversation's team (around the clock without a team or business hours);
- first response stops at the first reply (sent, or handled elsewhere);
- resolution stops when the conversation is resolved. Snoozed and pending
  conversations keep counting: a target is a promise to the customer, and
  snoozing is for the agent's convenience;
- a breach is marked once and stays marked (a later priority change moves the
  due time, not the history); resolved and spam conversations are not checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, and_, false, or_, select, update

from hubbub.actions import audit
from hubbub.actions.notifications import notify
from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, Event
from hubbub.inbox.sla import (
    PRIORITIES,
    BusinessHours,
    BusinessHoursError,
    add_business_seconds,
    as_utc,
    business_seconds_between,
    parse_business_hours,
)
from hubbub.inbox.sla_report import breach_counts, sla_report
from hubbub.people.principal import Principal
from hubbub.post import utcnow
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import conversations, sla_policies, team_members, teams, users

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_POLICIES",
    "DueTimes",
    "apply_sla",
    "breach_counts",
    "check_breaches",
    "policies_for",
    "record_first_response",
    "record_resolution",
    "set_business_hours",
    "set_policy",
    "sla_report",
]

# (first response, resolution) in minutes of business time; every team starts
# with these and a manager changes them on the team's service-levels page.
DEFAULT_POLICIES: dict[str, tuple[int | None, int | None]] = {
    "urgent": (30, 4 * 60),
    "high": (60, 8 * 60),
    "normal": (4 * 60, 24 * 60),
    "low": (24 * 60, 72 * 60),
}
BREACH_KINDS = ("first_response", "resolution")
MAX_MINUTES = 365 * 24 * 60


@dataclass(frozen=True)
class SlaBreached(Event):
    type: ClassVar[str] = "sla.breached"
    conversation_id: int
    kind: str  # first_response | resolution
    team_id: int | None = None


@dataclass(frozen=True)
class Policy:
    priority: str
    first_response_minutes: int | None
    resolution_minutes: int | None


# --- reading the team's policy and hours -------------------------------------


def ensure_default_policies(conn: Connection, team_id: int) -> None:
    """Give a team with no policy rows the defaults (idempotent, race-safe)."""
    has_any = conn.execute(
        select(sla_policies.c.id).where(sla_policies.c.team_id == team_id).limit(1)
    ).first()
    if has_any is not None:
        return
    for priority, (first, resolution) in DEFAULT_POLICIES.items():
        conn.execute(
            dialect_insert(conn, sla_policies)
            .values(
                team_id=team_id,
                priority=priority,
                first_response_minutes=first,
                resolution_minutes=resolution,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "priority"])
        )


def policies_for(conn: Connection, team_id: int | None) -> list[Policy]:
    """The team's targets for every priority, urgent first (defaults where unset)."""
    stored: dict[str, tuple[int | None, int | None]] = {}
    if team_id is not None:
        for row in conn.execute(select(sla_policies).where(sla_policies.c.team_id == team_id)):
            stored[row.priority] = (row.first_response_minutes, row.resolution_minutes)
    order = ("urgent", "high", "normal", "low")
    if not stored:
        return [Policy(p, *DEFAULT_POLICIES[p]) for p in order]
    return [Policy(p, *stored.get(p, (None, None))) for p in order]


def team_hours(conn: Connection, team_id: int | None) -> BusinessHours | None:
    if team_id is None:
        return None
    raw = conn.execute(select(teams.c.business_hours).where(teams.c.id == team_id)).scalar()
    try:
        return parse_business_hours(raw)
    except BusinessHoursError as err:  # stored before validation existed: count 24/7
        log.warning(
            "team %s has unusable business hours (%s); using around the clock", team_id, err
        )
        return None


# --- the contract: called inside the caller's transaction --------------------


class DueTimes:
    """Due times by team, priority and start, reading each team's policy and
    business hours once (a batch of conversations opening shares them)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._teams: dict[int | None, tuple[dict[str, Policy], BusinessHours | None]] = {}

    def __call__(
        self, team_id: int | None, priority: str, start: datetime
    ) -> tuple[datetime | None, datetime | None]:
        """(first response due, resolution due)."""
        if team_id not in self._teams:
            # policies_for falls back to the defaults: no rows need writing on this hot path
            policies = {p.priority: p for p in policies_for(self.conn, team_id)}
            self._teams[team_id] = (policies, team_hours(self.conn, team_id))
        policies, hours = self._teams[team_id]
        policy = policies.get(priority)

        def due(minutes: int | None) -> datetime | None:
            return None if minutes is None else add_business_seconds(start, minutes * 60, hours)

        if policy is None:
            return None, None
        return due(policy.first_response_minutes), due(policy.resolution_minutes)


def apply_sla(conn: Connection, conversation_id: int, now: datetime) -> None:
    """(Re)compute a conversation's due times from its team's policy for its
    priority and the team's business hours, counted from when it opened."""
    row = conn.execute(
        select(conversations.c.team_id, conversations.c.priority, conversations.c.opened_at).where(
            conversations.c.id == conversation_id
        )
    ).first()
    if row is None:
        return
    first, resolution = DueTimes(conn)(row.team_id, row.priority, row.opened_at or now)
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(first_response_due_at=first, resolution_due_at=resolution)
    )


def record_first_response(conn: Connection, conversation_id: int, at: datetime) -> None:
    """The first reply: its time in business seconds since opening, once; a
    reply after the due time marks the breach (if the check has not yet)."""
    row = conn.execute(
        select(
            conversations.c.team_id,
            conversations.c.opened_at,
            conversations.c.first_response_due_at,
        ).where(conversations.c.id == conversation_id, conversations.c.first_response_at.is_(None))
    ).first()
    if row is None:  # unknown, or already answered
        return
    seconds = business_seconds_between(row.opened_at, at, team_hours(conn, row.team_id))
    values: dict[str, Any] = {"first_response_at": as_utc(at), "first_response_seconds": seconds}
    if row.first_response_due_at is not None and as_utc(at) > as_utc(row.first_response_due_at):
        values["first_response_breached"] = True
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id, conversations.c.first_response_at.is_(None))
        .values(**values)
    )


def record_resolution(conn: Connection, conversation_id: int, at: datetime) -> None:
    """Resolved: business seconds since opening (the latest resolution counts
    when a conversation is reopened and resolved again)."""
    row = conn.execute(
        select(
            conversations.c.team_id, conversations.c.opened_at, conversations.c.resolution_due_at
        ).where(conversations.c.id == conversation_id)
    ).first()
    if row is None:
        return
    seconds = business_seconds_between(row.opened_at, at, team_hours(conn, row.team_id))
    values: dict[str, Any] = {"resolution_seconds": seconds}
    if row.resolution_due_at is not None and as_utc(at) > as_utc(row.resolution_due_at):
        values["resolution_breached"] = True
    conn.execute(
        update(conversations).where(conversations.c.id == conversation_id).values(**values)
    )


def check_breaches(engine: Engine, now: datetime | None = None, bus: Bus | None = None) -> int:
    """Mark every overdue, unmet target breached and tell the assignee (else
    the team, else the managers); how many breaches were marked. Each is one
    transaction that marks it only if still unmarked, so concurrent or repeated
    checks mark and notify once."""
    now = as_utc(now or utcnow())  # SQLite compares the stored UTC text
    c = conversations.c
    overdue = {
        "first_response": and_(
            c.first_response_at.is_(None),
            c.first_response_due_at <= now,
            c.first_response_breached == false(),
        ),
        "resolution": and_(c.resolution_due_at <= now, c.resolution_breached == false()),
    }
    live = and_(c.status != "resolved", c.spam == false())
    with engine.connect() as conn:
        candidates = (
            conn.execute(select(c.id).where(live, or_(*overdue.values())).order_by(c.id))
            .scalars()
            .all()
        )
    marked = 0
    for conversation_id in candidates:
        for kind in BREACH_KINDS:
            flag = c.first_response_breached if kind == "first_response" else c.resolution_breached
            with engine.begin() as conn:
                row = conn.execute(
                    update(conversations)
                    .where(c.id == conversation_id, live, overdue[kind])
                    .values({flag.key: True})
                    .returning(c.team_id, c.assignee_id, c.subject, c.priority)
                ).first()
                if row is None:
                    continue
                _notify_breach(conn, conversation_id, kind, row, now)
                audit.record(
                    conn,
                    Principal.system("sla"),
                    "conversation.sla_breach",
                    "conversation",
                    conversation_id,
                    before={flag.key: False},
                    after={flag.key: True},
                    at=now,
                )
            marked += 1
            if bus is not None:
                bus.publish(
                    EVENTS_SUBJECT,
                    SlaBreached(conversation_id, kind, row.team_id).to_message(),
                )
    return marked


def _notify_breach(
    conn: Connection, conversation_id: int, kind: str, row: Any, now: datetime
) -> None:
    recipients = _breach_recipients(conn, row.assignee_id, row.team_id)
    what = "First response" if kind == "first_response" else "Resolution"
    subject = " ".join((row.subject or "").split())[:120] or f"conversation {conversation_id}"
    notify(
        conn,
        recipients,
        "sla_breach",
        f"{what} target missed ({row.priority}): {subject}",
        conversation_id=conversation_id,
        dedupe_key=f"sla:{conversation_id}:{kind}",
        at=now,
    )


def _breach_recipients(conn: Connection, assignee_id: int | None, team_id: int | None) -> list[int]:
    """The assignee if active; else the team's active members; else every
    active manager and admin (someone must hear of it)."""
    active = users.c.active.is_(True)
    if assignee_id is not None:
        found = conn.execute(select(users.c.id).where(users.c.id == assignee_id, active)).scalar()
        if found is not None:
            return [int(found)]
    if team_id is not None:
        members = (
            conn.execute(
                select(users.c.id)
                .join(team_members, team_members.c.user_id == users.c.id)
                .where(team_members.c.team_id == team_id, active)
            )
            .scalars()
            .all()
        )
        if members:
            return [int(m) for m in members]
    return [
        int(u)
        for u in conn.execute(
            select(users.c.id).where(active, users.c.role.in_(("admin", "manager")))
        ).scalars()
    ]


# --- settings: the team's targets and business hours -------------------------


def set_policy(
    engine: Engine,
    actor: Principal,
    team_id: int,
    priority: str,
    first_response_minutes: int | None,
    resolution_minutes: int | None,
) -> None:
    """Set one priority's targets (None: no target) and recompute the due
    times of the team's unresolved conversations with that priority."""
    actor.require("team.manage")
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}: one of {', '.join(PRIORITIES)}")
    for name, value in (
        ("first response", first_response_minutes),
        ("resolution", resolution_minutes),
    ):
        if value is not None and not 1 <= value <= MAX_MINUTES:
            raise ValueError(f"{name} target must be 1 to {MAX_MINUTES} minutes, or none")
    with engine.begin() as conn:
        _require_team(conn, team_id)
        ensure_default_policies(conn, team_id)
        before = conn.execute(
            select(sla_policies.c.first_response_minutes, sla_policies.c.resolution_minutes).where(
                sla_policies.c.team_id == team_id, sla_policies.c.priority == priority
            )
        ).first()
        after = {
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": resolution_minutes,
        }
        if before is None:
            conn.execute(sla_policies.insert().values(team_id=team_id, priority=priority, **after))
        else:
            conn.execute(
                update(sla_policies)
                .where(sla_policies.c.team_id == team_id, sla_policies.c.priority == priority)
                .values(**after)
            )
        audit.record(
            conn,
            actor,
            "team.sla_policy",
            "team",
            team_id,
            before={"priority": priority, **dict(before._mapping)} if before else None,
            after={"priority": priority, **after},
        )
        _reapply(conn, team_id, priority)


def set_business_hours(
    engine: Engine, actor: Principal, team_id: int, hours: dict[str, Any] | None
) -> None:
    """Validate and store the team's business hours (None: around the clock),
    then recompute its unresolved conversations' due times."""
    actor.require("team.manage")
    parsed = parse_business_hours(hours)  # BusinessHoursError (a ValueError) says what is wrong
    stored = parsed.to_json() if parsed is not None else None
    with engine.begin() as conn:
        before = _require_team(conn, team_id)
        conn.execute(update(teams).where(teams.c.id == team_id).values(business_hours=stored))
        audit.record(
            conn,
            actor,
            "team.business_hours",
            "team",
            team_id,
            before={"business_hours": before},
            after={"business_hours": stored},
        )
        _reapply(conn, team_id, None)


def _require_team(conn: Connection, team_id: int) -> Any:
    row = conn.execute(
        select(teams.c.id, teams.c.business_hours).where(teams.c.id == team_id)
    ).first()
    if row is None:
        raise LookupError(f"no team {team_id}")
    return row.business_hours


def _reapply(conn: Connection, team_id: int, priority: str | None) -> None:
    query = select(conversations.c.id).where(
        conversations.c.team_id == team_id, conversations.c.status != "resolved"
    )
    if priority is not None:
        query = query.where(conversations.c.priority == priority)
    now = utcnow()
    for conversation_id in conn.execute(query).scalars().all():
        apply_sla(conn, conversation_id, now)
