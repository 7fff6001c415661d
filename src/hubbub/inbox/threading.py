"""Which conversation a stored post belongs in. Pure: the caller looks up the
conversations and passes them in.

A thread is identified on its platform by its root's external id: a post's
``thread_root``, or the post's own id when it starts a thread (or when the
platform does not say, as with Mastodon). Replies that carry no root are
placed through their parent: ``reply_to`` names it, as an external id
(Bluesky, Hacker News, Reddit) or as the instance-local status id that
Mastodon gives (kept in ``raw["id"]`` on the parent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from hubbub.post import Post

Ref = tuple[str, str]  # (platform, an id naming a post on it)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def thread_key(post: Post) -> str:
    return post.thread_root or post.external_id


def own_refs(post: Post) -> list[Ref]:
    """The ids other posts (and our replies) may name this post by."""
    refs = [(post.platform, post.external_id)]
    local = (post.raw or {}).get("id")
    if isinstance(local, str | int) and str(local) != post.external_id:
        refs.append((post.platform, str(local)))
    return refs


def parent_refs(post: Post) -> list[Ref]:
    """The posts this one replies to, nearest first."""
    return [(post.platform, ref) for ref in dict.fromkeys((post.reply_to, post.thread_root)) if ref]


def threading_order(posts: Iterable[Post]) -> list[Post]:
    """Oldest first, so a parent is placed before the replies in the same batch."""
    return sorted(posts, key=lambda p: (p.created_at or _EPOCH, p.id or 0))


# Platforms whose replies name their parent by an instance-local id (Mastodon's
# in_reply_to_id), which the parent keeps in raw["id"], not as its external id.
LOCAL_REPLY_IDS = frozenset({"mastodon"})


@dataclass(frozen=True)
class Placement:
    """Where a post goes. ``open``: a new conversation for ``thread_key``.
    ``join``: the stored conversation ``conversation_id``, or the one that the
    earlier post ``opened_by`` of the same batch opens."""

    post: Post
    action: str
    thread_key: str
    conversation_id: int | None = None
    opened_by: int | None = None


def plan(
    posts: Iterable[Post],
    matched: Mapping[int, object],
    ours: Iterable[int],
    by_thread: Mapping[Ref, int],
    by_post: Mapping[Ref, int],
) -> list[Placement]:
    """Place a batch of stored posts, oldest first: a post joins its thread's
    conversation, else its parent's; else, if a listening query matched it and
    it is not one of our own replies, it opens one. Posts placed nowhere are
    left out. ``matched`` maps post ids to their (non-empty) matches; ``ours``
    are the ids of posts that are our replies; ``by_thread`` maps (platform,
    thread key) and ``by_post`` (platform, post ref) to stored conversations."""
    ours = set(ours)
    # a conversation already stored (id) or opened earlier in this batch (post id)
    threads: dict[Ref, tuple[int | None, int | None]] = {k: (v, None) for k, v in by_thread.items()}
    members: dict[Ref, tuple[int | None, int | None]] = {k: (v, None) for k, v in by_post.items()}
    placed: list[Placement] = []
    for post in threading_order(posts):
        key = thread_key(post)
        target = threads.get((post.platform, key))
        if target is None:
            target = next((members[r] for r in parent_refs(post) if r in members), None)
        if target is not None:
            placed.append(Placement(post, "join", key, *target))
        elif matched.get(post.id or 0) and post.id not in ours:
            target = (None, post.id)
            threads[(post.platform, key)] = target
            placed.append(Placement(post, "open", key))
        else:
            continue
        for ref in own_refs(post):
            members.setdefault(ref, target)
    return placed


def subject_of(post: Post, limit: int = 120) -> str:
    """The first words of the post (its title if it has one), cut at a word."""
    text = " ".join((post.title or post.text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"
