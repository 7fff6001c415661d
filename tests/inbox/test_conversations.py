"""What people do to conversations, on both databases: assign, status and
snooze, priority, tags, notes with @mentions, bulk changes; each checked
against the permission matrix and written to the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from hubbub.actions.conversations import (
    ConversationNotFound,
    add_note,
    assign,
    bulk_update,
    set_priority,
    set_status,
    set_tags,
    wake_snoozed,
)
from hubbub.actions.people import deactivate
from hubbub.bus.inline import InlineBus
from hubbub.config import Settings
from hubbub.events import EVENTS_SUBJECT
from hubbub.inbox.contacts import contact_history
from hubbub.inbox.mentions import mention_names
from hubbub.people.principal import PermissionDenied
from hubbub.post import utcnow
from hubbub.store.tables import audit_log, conversation_notes, notifications

from .conversation_world import (
    ADMIN,
    COMPLAINT_TEXTS,
    World,
    bsky,
    conversation,
    make_world,
    person,
    uri,
)


def open_three(w: World) -> list[int]:
    """Three conversations from three customers."""
    for n, text in enumerate(COMPLAINT_TEXTS):
        w.ingest(bsky(f"3ka{n}", text, did=f"did:plc:c{n}", handle=f"c{n}.bsky.social", minutes=n))
    from hubbub.store.tables import conversations

    with w.engine.connect() as conn:
        return list(conn.execute(select(conversations.c.id).order_by(conversations.c.id)).scalars())


def audit_rows(engine: Engine, cid: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log)
            .where(audit_log.c.object_type == "conversation", audit_log.c.object_id == str(cid))
            .order_by(audit_log.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def notified(engine: Engine, user_id: int | None) -> list[tuple[str, int | None]]:
    with engine.connect() as conn:
        return [
            (r.kind, r.conversation_id)
            for r in conn.execute(
                select(notifications)
                .where(notifications.c.user_id == user_id)
                .order_by(notifications.c.id)
            )
        ]


def test_assign_checks_membership_notifies_and_audits(engine: Engine, settings: Settings) -> None:
    w = make_world(engine, settings)
    [cid, *_] = open_three(w)
    sales = w.team_ids["sales"]
    with pytest.raises(ValueError, match="not a member"):
        assign(engine, w.ana, cid, team_id=sales, assignee_id=w.bob.user_id)
    with pytest.raises(PermissionDenied):
        assign(engine, w.viewer, cid, assignee_id=w.bob.user_id)
    with pytest.raises(ConversationNotFound):
        assign(engine, w.ana, 99999, assignee_id=w.bob.user_id)

    bus = InlineBus()
    seen: list[dict[str, object]] = []
    bus.subscribe(EVENTS_SUBJECT, seen.append)
    before = conversation(engine, cid)
    assign(engine, w.ana, cid, assignee_id=w.bob.user_id, bus=bus)
    bus.drain()
    assert conversation(engine, cid)["assignee_id"] == w.bob.user_id
    assert ("assignment", cid) in notified(engine, w.bob.user_id)
    assert (
        seen and seen[0]["type"] == "conversation.updated" and seen[0]["fields"] == ["assignee_id"]
    )
    last = audit_rows(engine, cid)[-1]
    assert last["action"] == "conversation.assign" and last["actor"] == "ana@example.com"
    assert last["actor_user_id"] == w.ana.user_id
    assert last["before"] == {"assignee_id": before["assignee_id"]}
    assert last["after"] == {"assignee_id": w.bob.user_id}

    # to another team: bob is not in sales, so nobody is assigned there
    assign(engine, w.ana, cid, team_id=sales)
    moved = conversation(engine, cid)
    assert (moved["team_id"], moved["assignee_id"]) == (sales, None)
    # assigning oneself tells nobody
    assign(engine, w.ana, cid, team_id=w.team_ids["customer-service"], assignee_id=w.ana.user_id)
    assert notified(engine, w.ana.user_id) == []
    # a deactivated person cannot be assigned
    deactivate(engine, ADMIN, w.bob.user_id or 0)
    with pytest.raises(ValueError, match="not an active user"):
        assign(engine, w.ana, cid, assignee_id=w.bob.user_id)


def test_status_snooze_wake_and_resolution(engine: Engine, settings: Settings) -> None:
    w = make_world(engine, settings)
    [cid, other, _] = open_three(w)
    with pytest.raises(ValueError, match="wake"):
        set_status(engine, w.ana, cid, "snoozed")
    with pytest.raises(ValueError, match="unknown status"):
        set_status(engine, w.ana, cid, "closed")
    with pytest.raises(PermissionDenied):
        set_status(engine, w.viewer, cid, "resolved")

    now = utcnow()
    set_status(engine, w.ana, cid, "snoozed", snoozed_until=now + timedelta(hours=2))
    set_status(engine, w.ana, other, "snoozed", snoozed_until=now + timedelta(hours=30))
    assert conversation(engine, cid)["status"] == "snoozed"
    assert wake_snoozed(engine, now + timedelta(hours=1)) == 0
    assert wake_snoozed(engine, now + timedelta(hours=3)) == 1
    assert wake_snoozed(engine, now + timedelta(hours=3)) == 0  # once
    woke = conversation(engine, cid)
    assert (woke["status"], woke["snoozed_until"]) == ("open", None)
    assert conversation(engine, other)["status"] == "snoozed"
    wake = audit_rows(engine, cid)[-1]
    assert (wake["action"], wake["actor"], wake["actor_user_id"]) == (
        "conversation.wake",
        "snooze timer",
        None,
    )

    set_status(engine, w.ana, cid, "resolved")
    resolved = conversation(engine, cid)
    assert resolved["resolved_at"] is not None and resolved["resolution_seconds"] is not None
    set_status(engine, w.ana, cid, "open")
    assert conversation(engine, cid)["resolved_at"] is None
    resolve, reopen = audit_rows(engine, cid)[-2:]
    assert resolve["before"] == {"status": "open", "resolved_at": None}
    assert resolve["after"]["status"] == "resolved" and resolve["after"]["resolved_at"]
    assert reopen["after"] == {"status": "open", "resolved_at": None}


def test_priority_recomputes_due_times_and_tags_are_cleaned(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    [cid, *_] = open_three(w)
    normal_due = conversation(engine, cid)["first_response_due_at"]
    with pytest.raises(ValueError, match="unknown priority"):
        set_priority(engine, w.ana, cid, "critical")
    set_priority(engine, w.ana, cid, "urgent")
    urgent = conversation(engine, cid)
    assert urgent["priority"] == "urgent"
    assert urgent["first_response_due_at"] < normal_due  # a tighter target

    set_tags(engine, w.ana, cid, ["  VIP ", "vip", "refund", ""])
    assert conversation(engine, cid)["tags"] == ["VIP", "refund"]
    last = audit_rows(engine, cid)[-1]
    assert last["action"] == "conversation.tags" and last["after"] == {"tags": ["VIP", "refund"]}
    with pytest.raises(PermissionDenied):
        set_tags(engine, w.viewer, cid, ["x"])


def test_notes_notify_the_people_they_mention(engine: Engine, settings: Settings) -> None:
    w = make_world(engine, settings)
    [cid, *_] = open_three(w)
    other_ana = person(engine, "ana@partner.example", "agent")
    gone = person(engine, "gus@example.com", "agent")
    deactivate(engine, ADMIN, gone.user_id or 0)

    note_id = add_note(
        engine,
        w.ana,
        cid,
        "@bob can you call them? cc @vic@example.com @gus, mail x@ana.example, @nobody, @ana.",
    )
    with engine.connect() as conn:
        note = (
            conn.execute(select(conversation_notes).where(conversation_notes.c.id == note_id))
            .mappings()
            .one()
        )
    # @ana names both anas; the author is not told about her own note
    assert note["mentions"] == [w.bob.user_id, w.viewer.user_id, w.ana.user_id, other_ana.user_id]
    assert note["author_id"] == w.ana.user_id
    assert ("mention", cid) in notified(engine, w.bob.user_id)
    assert ("mention", cid) in notified(engine, w.viewer.user_id)
    assert ("mention", cid) in notified(engine, other_ana.user_id)
    assert notified(engine, w.ana.user_id) == []
    assert notified(engine, gone.user_id) == []
    assert audit_rows(engine, cid)[-1]["after"] == {
        "note_id": note_id,
        "mentions": note["mentions"],
    }
    with pytest.raises(ValueError):
        add_note(engine, w.ana, cid, "   ")
    with pytest.raises(PermissionDenied):
        add_note(engine, w.viewer, cid, "hello")


def test_mention_names() -> None:
    assert mention_names("@Ana, ask @bob.smith. Mail me@x.com or @carl@example.com!") == [
        "ana",
        "bob.smith",
        "carl@example.com",
    ]


def test_bulk_update_is_all_or_nothing_and_audited_per_conversation(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    ids = open_three(w)
    with pytest.raises(ValueError):
        bulk_update(engine, w.ana, ids, priority="whenever")
    with pytest.raises(PermissionDenied):
        bulk_update(engine, w.viewer, ids, status="resolved")
    done = bulk_update(
        engine,
        w.ana,
        [*ids, 99999],
        status="pending",
        priority="high",
        assignee_id=w.bob.user_id,
        add_tags=["batch"],
    )
    assert done == 3
    for cid in ids:
        row = conversation(engine, cid)
        assert (row["status"], row["priority"], row["assignee_id"]) == (
            "pending",
            "high",
            w.bob.user_id,
        )
        assert "batch" in row["tags"]
        actions = [r["action"] for r in audit_rows(engine, cid)]
        assert actions[-4:] == [
            "conversation.assign",
            "conversation.status",
            "conversation.priority",
            "conversation.tags",
        ]
    assert sorted(c or 0 for _, c in notified(engine, w.bob.user_id)) == sorted(ids)


def test_contact_history_spans_conversations(engine: Engine, settings: Settings) -> None:
    w = make_world(engine, settings)
    carol = "did:plc:carol7x2"
    w.ingest(bsky("3kh1", "acme refund please, my order is broken"))
    w.ingest(bsky("3kh2", "acme support: still waiting for my refund", minutes=60))
    # carol also answers in dan's thread
    dan_root = uri("did:plc:dan", "3kd1")
    w.ingest(
        bsky(
            "3kd1",
            "is acme support any good? need help",
            did="did:plc:dan",
            handle="dan.bsky.social",
        ),
        bsky("3kd2", "no, avoid", minutes=61, root=dan_root, parent=dan_root),
    )
    with engine.connect() as conn:
        from hubbub.store.tables import contacts

        contact_id = conn.execute(
            select(contacts.c.id).where(contacts.c.author_key == carol)
        ).scalar_one()
        history = contact_history(conn, contact_id)
    assert history is not None
    assert len(history.conversations) == 2  # the two she opened
    assert len(history.posts) == 3  # and what she wrote in dan's
    assert history.posts[0]["text"] == "no, avoid"
