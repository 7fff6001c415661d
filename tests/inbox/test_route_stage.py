"""The route stage on both databases, through the real pipeline: matched posts
open conversations routed by the default rules, replies join their thread
(Bluesky roots, Mastodon's instance-local parent ids), replays add nothing,
our own replies are not inbound, a new inbound post reopens."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select

from hubbub.actions.conversations import RouteResult, route_posts, set_status
from hubbub.actions.replies import send_reply
from hubbub.actions.route import route_posts_in
from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.post import as_utc, utcnow
from hubbub.sources.mastodon.parse import status_to_post
from hubbub.store.credentials import CredentialCipher
from hubbub.store.tables import (
    audit_log,
    contacts,
    conversation_posts,
    conversations,
    matches,
    notifications,
)
from servers.mastodon import MastodonServer

from .conversation_world import (
    T0,
    bsky,
    conversation,
    counts,
    make_world,
    only_conversation,
    thread_post_ids,
    uri,
)

COMPLAINT = "@acme my order arrived broken and support is not answering. I want a refund."


def test_a_matched_complaint_opens_a_conversation_routed_to_customer_service(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    [complaint, unrelated] = w.ingest(
        bsky("3kc1", COMPLAINT, followers=250),
        bsky(
            "3kc2", "Lovely weather for a walk today", did="did:plc:dan", handle="dan.bsky.social"
        ),
    )
    conv = only_conversation(engine)
    assert conv["root_post_id"] == complaint and conv["platform"] == "bluesky"
    assert conv["thread_key"] == uri("did:plc:carol7x2", "3kc1")
    assert conv["subject"] == COMPLAINT
    assert conv["status"] == "open" and conv["priority"] == "normal" and not conv["spam"]
    assert conv["team_id"] == w.team_ids["customer-service"]
    assert conv["routed_by_rule_id"] is not None
    assert conv["post_count"] == 1 and thread_post_ids(engine, conv["id"]) == [complaint]
    assert conv["first_response_due_at"] is not None  # the team's service level applies
    with engine.connect() as conn:
        [contact] = conn.execute(select(contacts)).mappings().all()
        [opened] = conn.execute(
            select(audit_log).where(audit_log.c.action == "conversation.open")
        ).mappings()
    assert contact["id"] == conv["contact_id"]
    assert (contact["author_key"], contact["handle"], contact["followers"]) == (
        "did:plc:carol7x2",
        "carol.bsky.social",
        250,
    )
    assert opened["actor"] == f"rule {conv['routed_by_rule_id']}"
    assert opened["object_id"] == str(conv["id"]) and opened["after"]["post_id"] == complaint
    assert unrelated not in thread_post_ids(engine, conv["id"])
    opened_events = [e for e in w.events if e["type"] == "conversation.opened"]
    assert [e["conversation_id"] for e in opened_events] == [conv["id"]]


def test_replies_join_the_thread_by_root_and_by_parent(engine: Engine, settings: Settings) -> None:
    w = make_world(engine, settings)
    root = uri("did:plc:carol7x2", "3kr1")
    [first] = w.ingest(bsky("3kr1", COMPLAINT))
    # later batches: a friend chimes in (no match), carol answers the friend,
    # and a reply in a thread nobody is following stays out
    friend = bsky(
        "3kr2", "Same here, mine broke too", did="did:plc:erin", handle="erin.bsky.social",
        minutes=5, root=root, parent=root,
    )  # fmt: skip
    answer = bsky(
        "3kr3", "@erin.bsky.social did they ever answer you?", minutes=9,
        root=root, parent=uri("did:plc:erin", "3kr2"),
    )  # fmt: skip
    elsewhere = bsky(
        "3kx9", "nice", did="did:plc:erin", handle="erin.bsky.social", minutes=9,
        root=uri("did:plc:zed", "3zz1"), parent=uri("did:plc:zed", "3zz1"),
    )  # fmt: skip
    ids = w.ingest(answer, elsewhere, friend)  # out of order: placed oldest first
    conv = only_conversation(engine)
    assert thread_post_ids(engine, conv["id"]) == sorted([first, *ids[:1], *ids[2:]])
    assert conv["post_count"] == 3
    assert conv["last_activity_at"].replace(tzinfo=None) == (T0 + timedelta(minutes=9)).replace(
        tzinfo=None
    )
    with engine.connect() as conn:
        authors = set(conn.execute(select(contacts.c.author_key)).scalars())
    assert authors == {"did:plc:carol7x2", "did:plc:erin"}
    assert any(e["type"] == "conversation.updated" and e["fields"] == ["posts"] for e in w.events)


def test_a_bluesky_reply_without_root_joins_through_its_parent(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    w.ingest(bsky("3kp1", COMPLAINT))
    [reply] = w.ingest(
        bsky("3kp2", "following up", minutes=3, parent=uri("did:plc:carol7x2", "3kp1"))
    )
    assert reply in thread_post_ids(engine, only_conversation(engine)["id"])


def test_a_replayed_batch_adds_nothing_twice(engine: Engine, settings: Settings) -> None:
    w = make_world(engine, settings)
    root = uri("did:plc:carol7x2", "3ki1")
    batch = [
        bsky("3ki1", COMPLAINT),
        bsky("3ki2", "any news?", minutes=1, root=root, parent=root),
        bsky("3ki3", "Acme kettles are great", did="did:plc:fay", handle="fay.bsky.social"),
    ]
    ids = w.ingest(*batch)
    first = counts(engine)
    assert first == (2, 3, 3)
    with engine.connect() as conn:
        matched: dict[int, list[int]] = {}
        for post_id, query_id in conn.execute(select(matches.c.post_id, matches.c.query_id)):
            matched.setdefault(post_id, []).append(query_id)
        audits = conn.execute(select(audit_log.c.id)).all()
        told = conn.execute(select(notifications.c.id)).all()
    # the same batch again through the pipeline (dedupe drops it) and straight
    # into the route stage, as a redelivered message would be
    w.ingest(*batch)
    again = route_posts(engine, ids, matched)
    assert again.opened == [] and again.posts_added == 0 and again.skipped == 3
    assert counts(engine) == first
    with engine.connect() as conn:
        assert conn.execute(select(audit_log.c.id)).all() == audits
        assert conn.execute(select(notifications.c.id)).all() == told


def test_a_new_inbound_post_reopens_and_a_spam_thread_stays_closed(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    root = uri("did:plc:carol7x2", "3ko1")
    w.ingest(bsky("3ko1", COMPLAINT))
    conv = only_conversation(engine)
    set_status(engine, w.ana, conv["id"], "resolved")
    assert conversation(engine, conv["id"])["resolved_at"] is not None
    w.ingest(bsky("3ko2", "still broken, nobody called", minutes=30, root=root, parent=root))
    reopened = conversation(engine, conv["id"])
    assert reopened["status"] == "open" and reopened["resolved_at"] is None
    assert reopened["post_count"] == 2
    with engine.connect() as conn:
        actions = list(conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars())
    assert actions[-2:] == ["conversation.status", "conversation.reopen"]

    spam_root = uri("did:plc:spammer", "3ks1")
    w.ingest(
        bsky("3ks1", "acme crypto giveaway, free followers, link in bio", did="did:plc:spammer")
    )
    spam = conversation(engine, max(c for c in _ids(engine)))
    assert spam["spam"] and spam["status"] == "resolved" and spam["assignee_id"] is None
    w.ingest(bsky("3ks2", "airdrop!!", did="did:plc:spammer", root=spam_root, parent=spam_root))
    assert conversation(engine, spam["id"])["status"] == "resolved"
    assert conversation(engine, spam["id"])["post_count"] == 2


def _ids(engine: Engine) -> list[int]:
    from hubbub.store.tables import conversations

    with engine.connect() as conn:
        return list(conn.execute(select(conversations.c.id)).scalars())


def test_mastodon_thread_with_our_own_reply(engine: Engine, settings: Settings) -> None:
    """A complaint on a (local) Mastodon server; the agent answers from Hubbub;
    our reply comes back through the connector and joins the thread by its
    instance-local parent id without counting as inbound; the customer's
    answer to it is inbound and reopens the conversation."""
    server = MastodonServer()
    server.add_account("support", "Acme Support")
    server.add_token("write-token", "support", {"read", "write"})
    server.start()
    try:
        w = make_world(engine, settings)
        source_id = add_source(
            engine,
            "mastodon",
            {"url": server.url, "token": "write-token"},
            "acme-mastodon",
            cipher=CredentialCipher(settings),
        )

        def fetched(status: dict[str, object]) -> int:
            post = status_to_post(status)
            post.source_id = source_id
            [post_id] = w.ingest(post)
            return post_id

        complaint = fetched(server.add_status("alice", "My Acme anvil arrived broken, refund?"))
        conv = only_conversation(engine)
        inbound_at = conv["last_inbound_at"]
        send_reply(
            engine, settings, w.ana, conv["id"], "Sorry! A new anvil is on its way.",
            idempotency_key="reply-1",
        )  # fmt: skip
        ours = server.statuses[-1]
        assert ours["account"]["acct"] == "support"
        our_post = fetched(ours)
        after_reply = conversation(engine, conv["id"])
        assert thread_post_ids(engine, conv["id"]) == [complaint, our_post]
        assert after_reply["post_count"] == 2
        assert after_reply["last_inbound_at"] == inbound_at  # ours is not inbound
        assert after_reply["status"] == "pending"  # answered: waiting on the customer

        thanks = fetched(
            server.add_status("alice", "@support thanks, got it", in_reply_to_id=ours["id"])
        )
        final = conversation(engine, conv["id"])
        assert thread_post_ids(engine, conv["id"]) == [complaint, our_post, thanks]
        assert final["status"] == "open"
        assert final["last_inbound_at"] != inbound_at
    finally:
        server.stop()


def test_an_edit_that_makes_a_post_match_opens_a_conversation(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    [post_id] = w.ingest(bsky("3ke1", "my kettle arrived broken, I want a refund"))
    assert counts(engine) == (0, 0, 0)
    edited = bsky("3ke1", "my @acme kettle arrived broken, I want a refund")
    edited.edited_at = T0 + timedelta(minutes=2)
    w.ingest(edited)
    conv = only_conversation(engine)
    assert conv["root_post_id"] == post_id and "@acme" in conv["subject"]
    w.ingest(edited)  # the same version again: nothing more
    assert counts(engine) == (1, 1, 1)


def test_two_workers_opening_the_same_thread_make_one_conversation(
    engine: Engine, settings: Settings
) -> None:
    """Worker A opens the thread's conversation and has not committed; worker
    B routes a reply in the same thread, waits on the unique thread key, then
    finds A's conversation and joins it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: two routings cannot overlap")
    w = make_world(engine, settings)
    root = uri("did:plc:carol7x2", "3kx1")
    [first] = w.ingest(bsky("3kx1", COMPLAINT))
    [second] = w.ingest(
        bsky(
            "3kx2", "@acme same broken order here", did="did:plc:gus",
            handle="gus.bsky.social", minutes=3, root=root, parent=root,
        )
    )  # fmt: skip
    with engine.begin() as conn:  # as if neither batch had been routed yet
        conn.execute(delete(conversation_posts))
        conn.execute(delete(conversations))
    matched = {first: [w.query_id], second: [w.query_id]}
    routed_b: list[RouteResult] = []
    worker_b = threading.Thread(
        target=lambda: routed_b.append(route_posts(engine, [second], matched))
    )
    with engine.connect() as conn:
        transaction = conn.begin()
        routed_a = route_posts_in(conn, [first], matched, utcnow())
        worker_b.start()
        worker_b.join(1.5)
        assert worker_b.is_alive()  # waiting for A's row with the same thread key
        transaction.commit()
    worker_b.join(30)
    [result_b] = routed_b
    conv = only_conversation(engine)
    assert routed_a.opened == [conv["id"]]
    assert result_b.opened == [] and result_b.joined == [conv["id"]] and result_b.posts_added == 1
    assert thread_post_ids(engine, conv["id"]) == [first, second] and conv["post_count"] == 2


def test_one_batch_makes_one_contact_per_author_with_the_newest_details(
    engine: Engine, settings: Settings
) -> None:
    w = make_world(engine, settings)
    w.ingest(
        bsky("3kd1", COMPLAINT, followers=None),
        bsky("3kd2", "@acme also the lid is cracked", minutes=2, followers=260),
        bsky("3kd3", "@acme and nobody answers", minutes=9, followers=None),
    )
    with engine.connect() as conn:
        [contact] = conn.execute(select(contacts)).mappings().all()
    assert contact["followers"] == 260
    assert as_utc(contact["first_seen_at"]) == T0
    assert as_utc(contact["last_seen_at"]) == T0 + timedelta(minutes=9)
    with engine.connect() as conn:
        opened = conn.execute(select(conversations.c.contact_id)).scalars().all()
    assert opened and set(opened) == {contact["id"]}
