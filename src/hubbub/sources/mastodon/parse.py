"""Mastodon status JSON and streaming events -> Posts. Pure: no network, no clock.

Choices, so the rest of Hubbub can rely on them:

* ``external_id`` is the status ``uri`` (its ActivityPub id): unique across the
  fediverse, so the same status read from two instances is one post. The
  instance-local ``id`` is kept in ``raw["id"]`` (cursors are built from it).
* A boost (``reblog`` set) is stored as the booster's own status: its uri, the
  booster as author, the boosted status's text, and ``enrichments["repost"]``
  plus ``raw["reblog"]`` (the boosted status's uri, id and author), so
  ``is:repost`` matches it and every boost is counted as amplification.
* ``reply_to`` is ``in_reply_to_id``, the *instance-local* id of the parent: the
  API gives no parent uri, and a local id cannot be turned into one for a
  remote parent. ``thread_root`` is not known from a status alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hubbub.post import Post, parse_datetime
from hubbub.sources.base import ItemError
from hubbub.sources.html import collapse_text, html_to_text

PLATFORM = "mastodon"
_RAW_LIMIT = 500


class StatusError(Exception):
    pass


@dataclass
class StreamEvents:
    """What a run of streaming events amounts to."""

    posts: list[Post] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # instance-local status ids
    errors: list[ItemError] = field(default_factory=list)


def parse_statuses(statuses: Any) -> tuple[list[Post], list[ItemError]]:
    """A timeline page (a JSON list of statuses) -> posts and per-status errors."""
    posts: list[Post] = []
    errors: list[ItemError] = []
    if not isinstance(statuses, list):
        return posts, [ItemError("timeline", "the answer is not a list of statuses")]
    for index, status in enumerate(statuses):
        try:
            posts.append(status_to_post(status))
        except (StatusError, TypeError, ValueError, KeyError, AttributeError) as exc:
            errors.append(ItemError(status_name(status, index), str(exc) or type(exc).__name__))
    return posts, errors


def status_to_post(status: Any) -> Post:
    if not isinstance(status, dict):
        raise StatusError("status is not an object")
    local_id = _text(status.get("id"))
    uri = _text(status.get("uri"))
    if not local_id or not uri:
        raise StatusError("status has no id or uri")
    boosted = status.get("reblog")
    shown = boosted if isinstance(boosted, dict) else status  # the words people read

    content = shown.get("content")
    text, links = (
        html_to_text(content, _text(shown.get("url"))) if isinstance(content, str) else ("", [])
    )
    spoiler = collapse_text(shown.get("spoiler_text") or "")
    if spoiler:
        text = f"{spoiler}\n\n{text}" if text else spoiler
    for media in shown.get("media_attachments") or []:
        _add(links, (media or {}).get("url") or (media or {}).get("remote_url"))
    card = shown.get("card")
    if isinstance(card, dict):
        _add(links, card.get("url"))
    if shown is not status:
        _add(links, shown.get("url") or shown.get("uri"))
    if not text and not links:
        raise StatusError("status has no text and no media")

    account = status.get("account")
    if account is None:
        account = {}
    if not isinstance(account, dict):
        raise StatusError("status account is not an object")
    created = status.get("created_at")
    raw: dict[str, Any] = {"id": local_id, "uri": uri}
    if isinstance(shown.get("visibility"), str):
        raw["visibility"] = shown["visibility"]
    tags = [t.get("name") for t in shown.get("tags") or [] if isinstance(t, dict)]
    if tags:
        raw["tags"] = [str(t)[:_RAW_LIMIT] for t in tags if t][:20]
    if shown.get("in_reply_to_id"):
        raw["in_reply_to_id"] = str(shown["in_reply_to_id"])
    if shown.get("sensitive"):
        raw["sensitive"] = True
    edited = status.get("edited_at")
    if edited:
        raw["edited_at"] = str(edited)
    enrichments: dict[str, Any] = {}
    if shown is not status:
        original = shown.get("account") or {}
        raw["reblog"] = {
            "uri": _text(shown.get("uri")),
            "id": _text(shown.get("id")),
            "acct": _text(original.get("acct")) if isinstance(original, dict) else None,
        }
        enrichments["repost"] = True

    return Post(
        platform=PLATFORM,
        external_id=uri,
        text=text or " ".join(links),
        url=_text(status.get("url")) or _text(shown.get("url")) or uri,
        author_handle=_text(account.get("acct")),
        author_name=_text(account.get("display_name")) or _text(account.get("acct")),
        author_followers=_int(account.get("followers_count")),
        language=_text(shown.get("language")),
        created_at=parse_datetime(created) if isinstance(created, str) else None,
        reply_to=_text(shown.get("in_reply_to_id")),
        likes=_int(shown.get("favourites_count")),
        reposts=_int(shown.get("reblogs_count")),
        replies=_int(shown.get("replies_count")),
        links=links,
        raw=raw,
        enrichments=enrichments,
        # an edited status replaces the stored one when this is newer (actions.edits)
        edited_at=parse_datetime(edited) if isinstance(edited, str) else None,
    )


def parse_event(event: str, data: str, into: StreamEvents) -> None:
    """One streaming event (SSE ``event:``/``data:``, or a WebSocket message's
    ``event``/``payload``) added to ``into``. ``status.update`` (an edit) is a
    status like ``update``, with ``edited_at`` set; ``delete`` carries the
    instance-local id. Other events (notifications, filters_changed, ...) are
    ignored."""
    if event in ("update", "status.update"):
        try:
            into.posts.append(status_to_post(json.loads(data)))
        except (StatusError, TypeError, ValueError, KeyError, AttributeError) as exc:
            into.errors.append(ItemError(f"stream {event} event", str(exc) or type(exc).__name__))
    elif event == "delete":
        into.deleted.append(data.strip())


def parse_websocket_message(message: str | bytes, into: StreamEvents) -> None:
    try:
        frame = json.loads(message)
        event, payload = frame["event"], frame.get("payload")
        if not isinstance(event, str):
            raise ValueError("event is not a string")
    except (ValueError, TypeError, KeyError) as exc:
        into.errors.append(ItemError("stream message", f"not a streaming event: {exc}"))
        return
    if not isinstance(payload, str):
        payload = json.dumps(payload)
    parse_event(event, payload, into)


def status_name(status: Any, index: int) -> str:
    if isinstance(status, dict):
        for key in ("uri", "id"):
            value = status.get(key)
            if isinstance(value, str | int) and str(value):
                return f"status {str(value)[:200]}"
    return f"status {index + 1}"


def id_key(local_id: str) -> tuple[int, str]:
    """Mastodon ids are decimal strings that grow over time; compare them as numbers."""
    return (len(local_id), local_id) if local_id.isdigit() else (0, local_id)


def _add(links: list[str], url: Any) -> None:
    if isinstance(url, str) and url.startswith(("http://", "https://")) and url not in links:
        links.append(url)


def _text(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
