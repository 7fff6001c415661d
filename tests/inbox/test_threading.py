"""Placing posts in threads (pure): what opens, what joins what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubbub.inbox.threading import Placement, plan, subject_of
from hubbub.post import Post

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def toot(n: int, local: str, *, reply_to: str | None = None, minutes: int = 0) -> Post:
    """A Mastodon status as the connector stores it: the uri as external id,
    the instance-local id in raw, the parent by its local id."""
    return Post(
        id=n,
        platform="mastodon",
        external_id=f"https://social.example/users/u{n}/statuses/{local}",
        text="x",
        raw={"id": local},
        reply_to=reply_to,
        created_at=T0 + timedelta(minutes=minutes),
    )


def summary(placed: list[Placement]) -> list[tuple[int | None, str, int | None, int | None]]:
    return [(p.post.id, p.action, p.conversation_id, p.opened_by) for p in placed]


def test_a_batch_is_placed_oldest_first_through_local_parent_ids() -> None:
    root = toot(1, "101")
    reply = toot(2, "102", reply_to="101", minutes=1)
    deeper = toot(3, "103", reply_to="102", minutes=2)
    stranger = toot(4, "104", reply_to="999", minutes=2)
    placed = plan([deeper, stranger, reply, root], {1: [7]}, set(), {}, {})
    assert summary(placed) == [(1, "open", None, None), (2, "join", None, 1), (3, "join", None, 1)]


def test_stored_conversations_win_and_our_replies_never_open() -> None:
    stored = toot(5, "105", reply_to="101", minutes=5)
    ours = toot(6, "106", minutes=6)
    placed = plan(
        [stored, ours],
        {5: [7], 6: [7]},
        {6},
        {},
        {("mastodon", "101"): 40},
    )
    assert summary(placed) == [(5, "join", 40, None)]


def test_a_thread_root_names_the_conversation() -> None:
    root = "at://did:plc:a/app.bsky.feed.post/r"
    reply = Post(id=9, platform="bluesky", external_id="at://did:plc:b/app.bsky.feed.post/s",
                 text="x", thread_root=root, reply_to=root)  # fmt: skip
    [opened] = plan([reply], {9: [1]}, set(), {}, {})
    assert (opened.action, opened.thread_key) == ("open", root)
    [joined] = plan([reply], {}, set(), {("bluesky", root): 3}, {})
    assert (joined.action, joined.conversation_id) == ("join", 3)


def test_subject_is_cut_at_a_word() -> None:
    long = Post(platform="x", external_id="1", text="word " * 40)
    assert subject_of(long).endswith("word…") and len(subject_of(long)) <= 120
    titled = Post(platform="hn", external_id="2", text="body", title="  Ask HN:\n  pricing? ")
    assert subject_of(titled) == "Ask HN: pricing?"
