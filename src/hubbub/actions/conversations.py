"""What people (and the snooze clock) do to conversations: assign, status,
priority, tags, notes, bulk changes. Each checks the actor's permission,
writes in one transaction with an audit record of before and after, and
publishes its events after the commit. Routing new posts is in
``hubbub.actions.route`` (re-exported here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import EllipsisType
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hubbub.actions import audit
from hubbub.actions.notifications import notify
from hubbub.actions.route import RouteResult, publish, route_posts, route_posts_in
from hubbub.actions.sla import apply_sla, record_resolution
from hubbub.bus.base import Bus
from hubbub.events import ConversationUpdated, Event, NoteAdded
from hubbub.inbox.mentions import mentioned_user_ids
from hubbub.people.principal import Principal
from hubbub.post import as_utc, utcnow
from hubbub.store.tables import conversation_notes, conversations, team_members, teams, users

__all__ = [
    "PRIORITIES",
    "STATUSES",
    "ConversationNotFound",
    "RouteResult",
    "add_note",
    "assign",
    "bulk_update",
    "route_posts",
    "route_posts_in",
    "set_priority",
    "set_status",
    "set_tags",
    "wake_snoozed",
]

STATUSES = ("open", "pending", "snoozed", "resolved")
PRIORITIES = ("low", "normal", "high", "urgent")
MAX_TAGS = 20
MAX_TAG_CHARS = 60
MAX_NOTE_CHARS = 20_000

# ``...``: leave as it is (None clears)
Keep = EllipsisType


class ConversationNotFound(LookupError):
    pass


@dataclass
class _Changes:
    """Events to publish once the transaction has committed."""

    events: list[Event] = field(default_factory=list)

    def updated(self, cid: int, fields: Iterable[str], actor: Principal) -> None:
        self.events.append(
            ConversationUpdated(conversation_id=cid, fields=sorted(fields), actor=actor.label)
        )


def _locked(conn: Connection, cid: int) -> dict[str, Any]:
    row = (
        conn.execute(select(conversations).where(conversations.c.id == cid).with_for_update())
        .mappings()
        .first()
    )
    if row is None:
        raise ConversationNotFound(f"no conversation {cid}")
    return dict(row)


def _write(
    conn: Connection,
    actor: Principal,
    action: str,
    row: dict[str, Any],
    values: dict[str, Any],
    now: datetime,
    changes: _Changes,
) -> dict[str, Any]:
    """Write what differs from ``row``, audited; the changed values."""
    changed = {k: v for k, v in values.items() if row[k] != v}
    if not changed:
        return {}
    conn.execute(
        update(conversations)
        .where(conversations.c.id == row["id"])
        .values(**changed, updated_at=now)
    )
    audit.record(
        conn,
        actor,
        action,
        "conversation",
        row["id"],
        before={k: row[k] for k in changed},
        after=changed,
        at=now,
    )
    row.update(changed)
    changes.updated(row["id"], changed, actor)
    return changed


# -- assignment ----------------------------------------------------------------------


def _is_member(conn: Connection, team_id: int, user_id: int) -> bool:
    return (
        conn.execute(
            select(team_members.c.user_id).where(
                team_members.c.team_id == team_id, team_members.c.user_id == user_id
            )
        ).first()
        is not None
    )


def _check_assignment(
    conn: Connection, team_id: int | Keep | None, assignee_id: int | Keep | None
) -> None:
    if (
        isinstance(team_id, int)
        and conn.execute(select(teams.c.id).where(teams.c.id == team_id)).first() is None
    ):
        raise ValueError(f"no team {team_id}")
    if isinstance(assignee_id, int):
        active = conn.execute(
            select(users.c.active).where(users.c.id == assignee_id)
        ).scalar_one_or_none()
        if not active:
            raise ValueError(f"user {assignee_id} is not an active user")
        if isinstance(team_id, int) and not _is_member(conn, team_id, assignee_id):
            raise ValueError(f"user {assignee_id} is not a member of team {team_id}")


def _assign_in(
    conn: Connection,
    actor: Principal,
    cid: int,
    team_id: int | Keep | None,
    assignee_id: int | Keep | None,
    now: datetime,
    changes: _Changes,
) -> dict[str, Any]:
    row = _locked(conn, cid)
    values: dict[str, Any] = {}
    if not isinstance(team_id, Keep):
        values["team_id"] = team_id
    if not isinstance(assignee_id, Keep):
        values["assignee_id"] = assignee_id
    elif (
        not isinstance(team_id, Keep)
        and row["assignee_id"] is not None
        and (team_id is None or not _is_member(conn, team_id, row["assignee_id"]))
    ):
        values["assignee_id"] = None  # handed to a team its assignee is not in
    changed = _write(conn, actor, "conversation.assign", row, values, now, changes)
    if "team_id" in changed:
        apply_sla(conn, cid, now)  # the new team's targets and business hours
    new = changed.get("assignee_id")
    if new is not None and new != actor.user_id:
        notify(
            conn,
            [new],
            "assignment",
            f"{actor.label} assigned you a conversation: {row['subject'][:80]}",
            conversation_id=cid,
            dedupe_key=f"assigned:{cid}:{now.isoformat()}",
            at=now,
        )
    return changed


def assign(
    engine: Engine,
    actor: Principal,
    conversation_id: int,
    *,
    team_id: int | Keep | None = ...,
    assignee_id: int | Keep | None = ...,
    bus: Bus | None = None,
) -> None:
    """Hand a conversation to a team and/or a person (None: to nobody). A person
    given with a team must be an active member of it; a team change without a
    person drops an assignee who is not in the new team. The new assignee is
    notified (unless they assigned themselves)."""
    actor.require("conversation.assign")
    changes = _Changes()
    now = utcnow()
    with engine.begin() as conn:
        _check_assignment(conn, team_id, assignee_id)
        _assign_in(conn, actor, conversation_id, team_id, assignee_id, now, changes)
    publish(bus, changes.events)


# -- status, priority, tags ----------------------------------------------------------


def _check_status(status: str, snoozed_until: datetime | None) -> datetime | None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    if status == "snoozed":
        if snoozed_until is None:
            raise ValueError("snoozing needs the time to wake up")
        return as_utc(snoozed_until)
    if snoozed_until is not None:
        raise ValueError("only a snoozed conversation has a wake-up time")
    return None


def _status_in(
    conn: Connection,
    actor: Principal,
    cid: int,
    status: str,
    snoozed_until: datetime | None,
    now: datetime,
    changes: _Changes,
) -> dict[str, Any]:
    row = _locked(conn, cid)
    values: dict[str, Any] = {"status": status, "snoozed_until": snoozed_until}
    if status == "resolved" and row["status"] != "resolved":
        values["resolved_at"] = now
    elif status != "resolved":
        values["resolved_at"] = None  # reopened
    changed = _write(conn, actor, "conversation.status", row, values, now, changes)
    if changed.get("status") == "resolved":
        record_resolution(conn, cid, now)
    return changed


def set_status(
    engine: Engine,
    actor: Principal,
    conversation_id: int,
    status: str,
    *,
    snoozed_until: datetime | None = None,
    bus: Bus | None = None,
) -> None:
    """open | pending | snoozed (until ``snoozed_until``) | resolved."""
    actor.require("conversation.update")
    until = _check_status(status, snoozed_until)
    changes = _Changes()
    now = utcnow()
    with engine.begin() as conn:
        _status_in(conn, actor, conversation_id, status, until, now, changes)
    publish(bus, changes.events)


def _check_priority(priority: str) -> None:
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}: one of {', '.join(PRIORITIES)}")


def _priority_in(
    conn: Connection,
    actor: Principal,
    cid: int,
    priority: str,
    now: datetime,
    changes: _Changes,
) -> dict[str, Any]:
    row = _locked(conn, cid)
    changed = _write(
        conn, actor, "conversation.priority", row, {"priority": priority}, now, changes
    )
    if changed:
        apply_sla(conn, cid, now)  # the targets are per priority
    return changed


def set_priority(
    engine: Engine,
    actor: Principal,
    conversation_id: int,
    priority: str,
    *,
    bus: Bus | None = None,
) -> None:
    """low | normal | high | urgent; the service-level due times follow."""
    actor.require("conversation.update")
    _check_priority(priority)
    changes = _Changes()
    now = utcnow()
    with engine.begin() as conn:
        _priority_in(conn, actor, conversation_id, priority, now, changes)
    publish(bus, changes.events)


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, blank ones dropped, each once (first spelling kept), bounded."""
    out: dict[str, str] = {}
    for tag in tags:
        text = " ".join(str(tag).split())[:MAX_TAG_CHARS]
        if text and text.casefold() not in out:
            out[text.casefold()] = text
    if len(out) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return list(out.values())


def _tags_in(
    conn: Connection,
    actor: Principal,
    cid: int,
    tags: list[str] | None,
    add: Sequence[str],
    now: datetime,
    changes: _Changes,
) -> dict[str, Any]:
    row = _locked(conn, cid)
    wanted = clean_tags([*(row["tags"] if tags is None else tags), *add])
    return _write(conn, actor, "conversation.tags", row, {"tags": wanted}, now, changes)


def set_tags(
    engine: Engine,
    actor: Principal,
    conversation_id: int,
    tags: list[str],
    *,
    bus: Bus | None = None,
) -> None:
    actor.require("conversation.update")
    clean_tags(tags)  # refuse before writing
    changes = _Changes()
    now = utcnow()
    with engine.begin() as conn:
        _tags_in(conn, actor, conversation_id, tags, (), now, changes)
    publish(bus, changes.events)


# -- notes -------------------------------------------------------------------------


def add_note(
    engine: Engine,
    actor: Principal,
    conversation_id: int,
    body: str,
    *,
    bus: Bus | None = None,
) -> int:
    """An internal note; the colleagues it @mentions are notified. Its id."""
    actor.require("conversation.note")
    text = body.strip()
    if not text:
        raise ValueError("a note needs some text")
    if len(text) > MAX_NOTE_CHARS:
        raise ValueError(f"a note is at most {MAX_NOTE_CHARS:,} characters")
    now = utcnow()
    with engine.begin() as conn:
        row = _locked(conn, conversation_id)
        mentions = mentioned_user_ids(conn, text)
        note_id = int(
            conn.execute(
                insert(conversation_notes).values(
                    conversation_id=conversation_id,
                    author_id=actor.user_id,
                    body=text,
                    mentions=mentions,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(updated_at=now)
        )
        audit.record(
            conn,
            actor,
            "conversation.note",
            "conversation",
            conversation_id,
            after={"note_id": note_id, "mentions": mentions},
            at=now,
        )
        told = [u for u in mentions if u != actor.user_id]
        if told:
            notify(
                conn,
                told,
                "mention",
                f"{actor.label} mentioned you on “{row['subject'][:80]}”: {text[:200]}",
                conversation_id=conversation_id,
                dedupe_key=f"mention:{note_id}",
                at=now,
            )
    event = NoteAdded(
        conversation_id=conversation_id, note_id=note_id, author_id=actor.user_id, mentions=mentions
    )
    publish(bus, [event])
    return note_id


# -- many at once --------------------------------------------------------------------


def bulk_update(
    engine: Engine,
    actor: Principal,
    conversation_ids: Iterable[int],
    *,
    status: str | None = None,
    snoozed_until: datetime | None = None,
    priority: str | None = None,
    team_id: int | Keep | None = ...,
    assignee_id: int | Keep | None = ...,
    add_tags: Sequence[str] = (),
    bus: Bus | None = None,
) -> int:
    """The same change to many conversations, all or none, audited one by one.
    How many exist (unknown ids are skipped)."""
    actor.require("conversation.bulk")
    until = _check_status(status, snoozed_until) if status is not None else None
    if priority is not None:
        _check_priority(priority)
    extra_tags = clean_tags(add_tags)
    assigning = not (isinstance(team_id, Keep) and isinstance(assignee_id, Keep))
    changes = _Changes()
    now = utcnow()
    done = 0
    with engine.begin() as conn:
        if assigning:
            _check_assignment(conn, team_id, assignee_id)
        for cid in dict.fromkeys(conversation_ids):
            try:
                if assigning:
                    _assign_in(conn, actor, cid, team_id, assignee_id, now, changes)
                if status is not None:
                    _status_in(conn, actor, cid, status, until, now, changes)
                if priority is not None:
                    _priority_in(conn, actor, cid, priority, now, changes)
                if extra_tags:
                    _tags_in(conn, actor, cid, None, extra_tags, now, changes)
                if not (assigning or status or priority or extra_tags):
                    _locked(conn, cid)
            except ConversationNotFound:
                continue
            done += 1
    publish(bus, changes.events)
    return done


# -- the snooze clock ----------------------------------------------------------------


def wake_snoozed(engine: Engine, now: datetime | None = None, bus: Bus | None = None) -> int:
    """Open again every snoozed conversation whose time has come; how many.
    Safe to run on several nodes at once: each wakes a conversation once."""
    now = now or utcnow()
    clock = Principal.system("snooze timer")
    changes = _Changes()
    woken = 0
    with engine.begin() as conn:
        due = conn.execute(
            select(conversations.c.id, conversations.c.snoozed_until)
            .where(conversations.c.status == "snoozed", conversations.c.snoozed_until <= now)
            .order_by(conversations.c.id)
        ).all()
        for cid, until in due:
            row = conn.execute(
                update(conversations)
                .where(conversations.c.id == cid, conversations.c.status == "snoozed")
                .values(status="open", snoozed_until=None, updated_at=now)
                .returning(conversations.c.id)
            ).first()
            if row is None:  # another node woke it first
                continue
            audit.record(
                conn,
                clock,
                "conversation.wake",
                "conversation",
                cid,
                before={"status": "snoozed", "snoozed_until": as_utc(until)},
                after={"status": "open", "snoozed_until": None},
                at=now,
            )
            changes.updated(cid, ["snoozed_until", "status"], clock)
            woken += 1
    publish(bus, changes.events)
    return woken
