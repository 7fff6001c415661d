"""Reddit listing JSON -> Posts. Pure: no network, no clock.

``external_id`` is the thing's fullname (``t3_...`` a submission, ``t1_...`` a
comment): the RSS connector uses the same ids for reddit.com feeds, so a post
read both ways is one post. Text is the markdown source (``selftext`` /
``body``) kept as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hubbub.post import Post
from hubbub.sources.base import ItemError
from hubbub.sources.html import collapse_text

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
_KINDS = ("t1", "t3")


class ThingError(Exception):
    pass


@dataclass
class Listing:
    posts: list[Post] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    # Fullnames of every child, newest first as Reddit lists them (bad ones too).
    names: list[str] = field(default_factory=list)


def parse_listing(data: Any) -> Listing:
    """Raises ThingError when ``data`` is not a Listing at all."""
    if not isinstance(data, dict) or data.get("kind") != "Listing":
        raise ThingError("the answer is not a Reddit Listing")
    children = (data.get("data") or {}).get("children")
    if not isinstance(children, list):
        raise ThingError("the Listing has no children")
    listing = Listing()
    for index, child in enumerate(children):
        name = _fullname(child)
        if name:
            listing.names.append(name)
        try:
            listing.posts.append(thing_to_post(child))
        except (ThingError, TypeError, ValueError, OverflowError) as exc:
            label = name or f"child {index + 1}"
            listing.errors.append(ItemError(label, str(exc) or type(exc).__name__))
    return listing


def thing_to_post(child: Any) -> Post:
    if not isinstance(child, dict) or child.get("kind") not in _KINDS:
        raise ThingError("not a submission (t3) or comment (t1)")
    data = child.get("data")
    if not isinstance(data, dict):
        raise ThingError("thing has no data")
    name = _fullname(child)
    if not name:
        raise ThingError("thing has no id")
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise ThingError("thing has no created_utc")
    is_comment = child["kind"] == "t1"

    title = None if is_comment else _clean(data.get("title"))
    text = _clean(data.get("body") if is_comment else data.get("selftext")) or title or ""
    if not text:
        raise ThingError("thing has neither a title nor a body")
    permalink = data.get("permalink")
    url = SITE + permalink if isinstance(permalink, str) and permalink.startswith("/") else None
    links = []
    target = data.get("url")
    link_post = not is_comment and not data.get("is_self") and target != url
    if link_post and isinstance(target, str) and target.startswith(("http://", "https://")):
        links.append(target)
    author = data.get("author") if isinstance(data.get("author"), str) else None
    raw = {k: data[k] for k in ("subreddit", "link_title", "over_18", "domain") if k in data}
    raw["kind"] = child["kind"]

    return Post(
        platform=PLATFORM,
        external_id=name,
        text=text,
        url=url,
        title=title,
        author_handle=author,
        author_name=author,
        created_at=datetime.fromtimestamp(float(created), UTC),
        likes=_int(data.get("score")),
        replies=_int(data.get("num_comments")),
        reply_to=_str(data.get("parent_id")) if is_comment else None,
        thread_root=_str(data.get("link_id")) if is_comment else None,
        links=links,
        raw=raw,
    )


def _fullname(child: Any) -> str | None:
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        return None
    data = child["data"]
    if isinstance(data.get("name"), str) and data["name"]:
        return str(data["name"])
    if isinstance(data.get("id"), str) and child.get("kind") in _KINDS:
        return f"{child['kind']}_{data['id']}"
    return None


def _clean(value: Any) -> str | None:
    return collapse_text(value) or None if isinstance(value, str) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
