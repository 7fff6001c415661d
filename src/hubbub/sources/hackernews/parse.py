"""Algolia HN Search hits -> Posts. Pure: no network, no clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hubbub.post import Post
from hubbub.sources.base import ItemError
from hubbub.sources.html import collapse_text, html_to_text

PLATFORM = "hackernews"
ITEM_URL = "https://news.ycombinator.com/item?id={}"
_RAW_KEYS = ("objectID", "created_at", "created_at_i", "story_title", "story_url", "_tags")


class HitError(Exception):
    pass


def parse_hits(hits: Any) -> tuple[list[Post], list[ItemError]]:
    """One Post per hit; a hit that cannot become one is an ItemError naming it."""
    posts: list[Post] = []
    errors: list[ItemError] = []
    if not isinstance(hits, list):
        return posts, [ItemError("response", "'hits' is not a list")]
    for index, hit in enumerate(hits):
        try:
            posts.append(hit_to_post(hit))
        except (HitError, TypeError, ValueError, OverflowError) as exc:
            errors.append(ItemError(hit_name(hit, index), str(exc) or type(exc).__name__))
    return posts, errors


def hit_to_post(hit: Any) -> Post:
    if not isinstance(hit, dict):
        raise HitError("hit is not an object")
    object_id = hit.get("objectID")
    if not isinstance(object_id, str | int) or not str(object_id).strip():
        raise HitError("hit has no objectID")
    object_id = str(object_id).strip()
    created = hit.get("created_at_i")
    if not isinstance(created, int) or isinstance(created, bool):
        raise HitError("hit has no integer created_at_i")

    title = collapse_text(hit["title"]) if isinstance(hit.get("title"), str) else None
    html = hit.get("comment_text") or hit.get("story_text")
    text, links = html_to_text(html) if isinstance(html, str) else ("", [])
    story_url = hit.get("url")
    if isinstance(story_url, str) and story_url.startswith(("http://", "https://")):
        links = [story_url] + [link for link in links if link != story_url]
    text = text or title or ""
    if not text:
        raise HitError("hit has neither text nor a title")

    return Post(
        platform=PLATFORM,
        external_id=object_id,
        text=text,
        url=ITEM_URL.format(object_id),
        title=title or None,
        author_handle=_str(hit.get("author")),
        author_name=_str(hit.get("author")),
        created_at=datetime.fromtimestamp(created, UTC),
        likes=_int(hit.get("points")),
        replies=_int(hit.get("num_comments")),
        reply_to=_id(hit.get("parent_id")),
        thread_root=_id(hit.get("story_id")),
        links=links,
        raw={k: hit[k] for k in _RAW_KEYS if hit.get(k) is not None},
    )


def hit_name(hit: Any, index: int) -> str:
    if isinstance(hit, dict) and hit.get("objectID"):
        return f"hit {str(hit['objectID'])[:100]}"
    return f"hit {index + 1}"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        return None
    return str(value)
