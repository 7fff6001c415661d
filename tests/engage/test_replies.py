"""Replies end to end below the interfaces: a complaint ingested from a local
Mastodon server into a routed conversation, answered through the publisher;
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from hubbub.actions.replies import (
    IdempotencyConflict,
    ReplyFailed,
    ReplyRejected,
    ReplyUnavailable,
    mark_handled_elsewhere,
    send_reply,
)
from hubbub.config import Settings
from hubbub.engage.publishers import reply_options
from hubbub.people.principal import PermissionDenied
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post, utcnow
from hubbub.store.posts import load_posts
from hubbub.store.tables import audit_log, conversations, posts, replies, sources
from interfaces.seed import team_id
from servers.bluesky_pds import BlueskyPds
from servers.mastodon import MastodonServer

from .conftest import BLUESKY_HANDLE, BLUESKY_PASSWORD, MASTODON_TOKEN
from .flow import (
    COMPLAINT,
    bluesky_source,
    conversation_of,
    ingest,
    ingest_status,
    mastodon_source,
    person,
    setup_workspace,
)


@pytest.fixture
def complaint(engine: Engine, settings: Settings, mastodon: MastodonServer) -> dict[str, object]:
    setup_workspace(engine)
    source_id = mastodon_source(engine, settings, mastodon, MASTODON_TOKEN)
    status, cid = ingest_status(engine, settings, mastodon, source_id, "alice", COMPLAINT)
    return {"status": status, "cid": cid, "source": source_id}


def conversation(engine: Engine, cid: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(
            conn.execute(select(conversations).where(conversations.c.id == cid)).one()._mapping
        )


def reply_rows(engine: Engine, cid: int) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(replies).where(replies.c.conversation_id == cid).order_by(replies.c.id)
        )
        return [dict(r._mapping) for r in rows]


def actions_logged(engine: Engine, cid: int) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.actor)
            .where(audit_log.c.object_type == "conversation", audit_log.c.object_id == str(cid))
            .order_by(audit_log.c.id)
        )
        return [(r.action, r.actor) for r in rows]


def test_reply_reaches_mastodon_and_is_recorded_in_the_thread(
    engine: Engine, settings: Settings, mastodon: MastodonServer, complaint: dict[str, object]
) -> None:
    cid = int(complaint["cid"])  # type: ignore[call-overload]
    status = complaint["status"]
    assert isinstance(status, dict)
    before = conversation(engine, cid)
    assert before["team_id"] == team_id(engine, "customer-service")  # the default rule routed it
    assert before["status"] == "open" and before["first_response_at"] is None
    ana = person(engine)

    reply_id = send_reply(engine, settings, ana, cid, "Sorry Alice, a new anvil is on its way.",
                          idempotency_key="submit-1")  # fmt: skip

    (request,) = mastodon.posted()
    assert request.json()["in_reply_to_id"] == status["id"]
    assert request.headers["idempotency-key"] == "submit-1"
    posted = mastodon.statuses[-1]
    (row,) = reply_rows(engine, cid)
    assert row["id"] == reply_id
    assert row["status"] == "sent"
    assert row["body"] == "@alice Sorry Alice, a new anvil is on its way."
    assert row["external_id"] == posted["uri"] and row["url"] == posted["url"]
    assert row["author_id"] == ana.user_id and row["error"] is None
    with engine.connect() as conn:
        answered = conn.execute(
            select(posts.c.external_id).where(posts.c.id == row["in_reply_to_post_id"])
        ).scalar()
    assert answered == status["uri"]
    after = conversation(engine, cid)
    assert after["status"] == "pending"  # waiting on the customer
    assert after["first_response_at"] is not None
    assert isinstance(after["first_response_seconds"], int)
    assert after["first_response_seconds"] >= 0
    assert ("conversation.reply", "ana@example.com") in actions_logged(engine, cid)

    # our reply comes back through the timeline: it joins the thread as ours,
    # and does not put the conversation back in the queue
    ingest(engine, settings, int(complaint["source"]))  # type: ignore[call-overload]
    assert conversation_of(engine, posted["uri"]) == cid
    assert conversation(engine, cid)["status"] == "pending"
    # the next reply still answers the customer, not ourselves
    send_reply(engine, settings, ana, cid, "Tracking number follows.", idempotency_key="submit-2")
    assert mastodon.posted()[-1].json()["in_reply_to_id"] == status["id"]


def test_a_retried_submit_posts_once(
    engine: Engine, settings: Settings, mastodon: MastodonServer, complaint: dict[str, object]
) -> None:
    cid = int(complaint["cid"])  # type: ignore[call-overload]
    ana = person(engine)
    first = send_reply(engine, settings, ana, cid, "On it!", idempotency_key="double-click")
    second = send_reply(engine, settings, ana, cid, "On it!", idempotency_key="double-click")
    assert first == second
    assert len(mastodon.posted()) == 1
    assert len(reply_rows(engine, cid)) == 1
    with pytest.raises(IdempotencyConflict):
        send_reply(engine, settings, ana, cid + 1000, "On it!", idempotency_key="double-click")


def test_platform_refusal_is_stored_as_failed_and_leaves_the_conversation(
    engine: Engine, settings: Settings, mastodon: MastodonServer, complaint: dict[str, object]
) -> None:
    cid = int(complaint["cid"])  # type: ignore[call-overload]
    ana = person(engine)
    before = conversation(engine, cid)
    mastodon.fail_next(422, "Validation failed: Text is a duplicate")

    with pytest.raises(ReplyFailed, match="Text is a duplicate") as failed:
        send_reply(engine, settings, ana, cid, "Hello", idempotency_key="k-fail")

    (row,) = reply_rows(engine, cid)
    assert row["id"] == failed.value.reply_id
    assert row["status"] == "failed"
    assert "Validation failed: Text is a duplicate" in str(row["error"])
    after = conversation(engine, cid)
    for field in ("status", "first_response_at", "first_response_seconds", "last_activity_at"):
        assert after[field] == before[field]
    assert ("conversation.reply_failed", "ana@example.com") in actions_logged(engine, cid)
    # the same key does not post again; a new submit does
    assert send_reply(engine, settings, ana, cid, "Hello", idempotency_key="k-fail") == row["id"]
    assert len(mastodon.statuses) == 1
    send_reply(engine, settings, ana, cid, "Hello", idempotency_key="k-again")
    assert [r["status"] for r in reply_rows(engine, cid)] == ["failed", "sent"]


def test_reply_and_resolve_in_one_submit(
    engine: Engine, settings: Settings, complaint: dict[str, object]
) -> None:
    cid = int(complaint["cid"])  # type: ignore[call-overload]
    send_reply(engine, settings, person(engine), cid, "Done, refund sent.",
               idempotency_key="k", status="resolved")  # fmt: skip
    after = conversation(engine, cid)
    assert after["status"] == "resolved"
    assert after["resolution_seconds"] is not None
    assert after["first_response_at"] is not None


def test_nothing_is_stored_for_a_reply_that_cannot_go(
    engine: Engine, settings: Settings, mastodon: MastodonServer, complaint: dict[str, object]
) -> None:
    cid = int(complaint["cid"])  # type: ignore[call-overload]
    ana = person(engine)
    with pytest.raises(ReplyRejected, match="500"):
        send_reply(engine, settings, ana, cid, "x" * 501, idempotency_key="long")
    with pytest.raises(ReplyRejected, match="empty"):
        send_reply(engine, settings, ana, cid, "   ", idempotency_key="empty")
    with pytest.raises(ReplyRejected, match="not in conversation"):
        send_reply(engine, settings, ana, cid, "hi", idempotency_key="k", in_reply_to_post_id=10**6)
    viewer = person(engine, "vic@example.com", "Vic", role="viewer")
    with pytest.raises(PermissionDenied):
        send_reply(engine, settings, viewer, cid, "hi", idempotency_key="viewer")
    assert reply_rows(engine, cid) == [] and mastodon.posted() == []


def test_without_credentials_the_reason_is_given_and_handled_elsewhere_works(
    engine: Engine, settings: Settings, mastodon: MastodonServer, complaint: dict[str, object]
) -> None:
    cid = int(complaint["cid"])  # type: ignore[call-overload]
    root_post_id = int(conversation(engine, cid)["root_post_id"])  # type: ignore[call-overload]
    with engine.begin() as conn:  # the source listens without a token
        conn.execute(sources.update().values(settings={"url": mastodon.url}))
    with engine.connect() as conn:
        (post,) = load_posts(conn, [root_post_id])
        options = reply_options(conn, settings, post)
    assert not options.available
    assert "no access token" in str(options.reason) and "handled elsewhere" in str(options.reason)
    ana = person(engine)
    with pytest.raises(ReplyUnavailable):
        send_reply(engine, settings, ana, cid, "hi", idempotency_key="k")

    with pytest.raises(ReplyRejected, match="http"):
        mark_handled_elsewhere(engine, ana, cid, "javascript:alert(1)")
    link = "https://social.example/@support/1"
    reply_id = mark_handled_elsewhere(engine, ana, cid, link, "Answered from the phone app")

    (row,) = reply_rows(engine, cid)
    assert (row["id"], row["status"], row["url"]) == (reply_id, "handled_elsewhere", link)
    assert row["body"] == "Answered from the phone app"
    after = conversation(engine, cid)
    assert after["status"] == "pending" and after["first_response_at"] is not None
    assert ("conversation.handled_elsewhere", "ana@example.com") in actions_logged(engine, cid)
    assert mastodon.posted() == []


def test_a_platform_without_publisher_says_so(engine: Engine, settings: Settings) -> None:
    setup_workspace(engine)
    stored = Pipeline(engine, settings).ingest_posts(
        [
            Post(
                platform="reddit",
                external_id="t3_abc",
                text=COMPLAINT,
                author_handle="bob",
                created_at=utcnow() - timedelta(minutes=5),
            )
        ]
    )
    assert stored is not None
    cid = conversation_of(engine, "t3_abc")
    with pytest.raises(ReplyUnavailable, match="cannot post to reddit"):
        send_reply(engine, settings, person(engine), cid, "hi", idempotency_key="k")


def test_bluesky_reply_with_the_sources_account(
    engine: Engine, settings: Settings, pds: BlueskyPds
) -> None:
    setup_workspace(engine)
    source_id = bluesky_source(
        engine, settings,
        {"identifier": BLUESKY_HANDLE, "app_password": BLUESKY_PASSWORD, "pds_url": pds.url},
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sources.update().where(sources.c.id == source_id).values(enabled=True))
        stored = conn.execute(
            select(sources.c.settings).where(sources.c.id == source_id)
        ).scalar_one()
    assert stored["app_password"] != BLUESKY_PASSWORD  # sealed at rest
    uri = "at://did:plc:customer0000000000000000/app.bsky.feed.post/3kroot"
    Pipeline(engine, settings).ingest_posts(
        [
            Post(
                platform="bluesky",
                external_id=uri,
                text=COMPLAINT,
                author_handle="carol.example",
                raw={"cid": "bafyroot"},
                created_at=utcnow(),
            )
        ]
    )
    cid = conversation_of(engine, uri)
    reply_id = send_reply(
        engine, settings, person(engine), cid, "So sorry, Carol!", idempotency_key="bs"
    )

    (created,) = pds.created()
    record = created.json()["record"]
    assert record["reply"]["parent"] == {"uri": uri, "cid": "bafyroot"}
    (row,) = reply_rows(engine, cid)
    assert row["id"] == reply_id and row["status"] == "sent"
    assert row["external_id"] in pds.records
    assert str(row["url"]).startswith(f"https://bsky.app/profile/{BLUESKY_HANDLE}/post/")
