"""Jetstream v1 events -> Posts. Pure: no network, no clock.

A Jetstream event is ``{"did", "time_us", "kind", ...}``; ``kind`` "commit"
carries ``commit: {operation, collection, rkey, record, cid}``. Only
``app.bsky.feed.post`` commits become Posts; identity events teach us handles;
everything else (likes, follows, account events) is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hubbub.post import Post, parse_datetime
from hubbub.sources.base import ItemError

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
_LINK_FEATURE = "app.bsky.richtext.facet#link"
_EXTERNAL_EMBED = "app.bsky.embed.external"
_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"


@dataclass(frozen=True)
class Deleted:
    """A post deleted upstream: the connector hands it to the store as a
    Deletion (which marks or removes it, per the ``deletes`` setting)."""

    external_id: str
    did: str
    time_us: int


@dataclass(frozen=True)
class Identity:
    """A DID's current handle, from an identity event."""

    did: str
    handle: str


ParsedEvent = Post | Deleted | Identity | ItemError | None


def at_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


def web_url(author: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{author}/post/{rkey}"


def event_time_us(event: Any) -> int | None:
    """The event's ``time_us`` if it has a usable one (the resume cursor)."""
    if isinstance(event, dict):
        value = event.get("time_us")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def parse_event(event: Any, *, item: str, handles: Mapping[str, str] | None = None) -> ParsedEvent:
    """One decoded Jetstream event. ``item`` names it in an ItemError (e.g.
    "frame 12"); ``handles`` maps DIDs to known handles."""
    if not isinstance(event, dict):
        return ItemError(item, f"expected a JSON object, found {type(event).__name__}")
    did = event.get("did")
    kind = event.get("kind")
    time_us = event_time_us(event)
    if not isinstance(did, str) or not did.startswith("did:"):
        return ItemError(item, "missing or invalid 'did'")
    if time_us is None:
        return ItemError(item, "missing or invalid 'time_us'")
    if kind == "identity":
        identity = event.get("identity")
        handle = identity.get("handle") if isinstance(identity, dict) else None
        if isinstance(handle, str) and handle and handle != "handle.invalid":
            return Identity(did, handle)
        return None
    if kind != "commit":
        return None  # account events and kinds added later

    commit = event.get("commit")
    if not isinstance(commit, dict):
        return ItemError(item, "commit event without a 'commit' object")
    if commit.get("collection") != POST_COLLECTION:
        return None
    rkey = commit.get("rkey")
    if not isinstance(rkey, str) or not rkey:
        return ItemError(item, "post commit without an 'rkey'")
    operation = commit.get("operation")
    if operation == "delete":
        return Deleted(at_uri(did, rkey), did, time_us)
    if operation not in ("create", "update"):
        return ItemError(item, f"unknown commit operation {operation!r}")
    record = commit.get("record")
    if not isinstance(record, dict):
        return ItemError(item, f"post {operation} without a 'record' object")
    return _post(event, did, rkey, record, time_us, item, handles or {})


def _post(
    event: dict[str, Any],
    did: str,
    rkey: str,
    record: dict[str, Any],
    time_us: int,
    item: str,
    handles: Mapping[str, str],
) -> Post | ItemError:
    text = record.get("text", "")
    if not isinstance(text, str):
        return ItemError(item, f"post text must be a string, found {type(text).__name__}")
    handle = handles.get(did)
    operation = event["commit"].get("operation")
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    return Post(
        platform=PLATFORM,
        external_id=at_uri(did, rkey),
        text=text,
        url=web_url(handle or did, rkey),
        author_handle=handle or did,
        author_id=did,
        language=language,
        created_at=_created_at(record.get("createdAt"), time_us),
        reply_to=_ref_uri(reply, "parent"),
        thread_root=_ref_uri(reply, "root"),
        links=_links(record),
        raw=_raw(event, record),
        # an update is a new version of the post, as of the relay's clock
        edited_at=_event_time(time_us) if operation == "update" else None,
    )


def _raw(event: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """What the Post's fields do not already hold: the commit's identity and
    the record's facets (tags, mentions, links) and embed. Not the whole
    event: raw travels through every pipeline stage and into the store, and
    the text, dates, langs and reply refs would be carried twice."""
    commit = event["commit"]
    raw: dict[str, Any] = {
        "did": event["did"],
        "time_us": event["time_us"],
        "rev": commit.get("rev"),
        "cid": commit.get("cid"),
    }
    for key in ("facets", "embed", "labels"):
        if key in record:
            raw[key] = record[key]
    return raw


def _created_at(value: Any, time_us: int) -> datetime:
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            pass  # a client wrote junk: the relay's clock is the next best thing
    return _event_time(time_us)


def _event_time(time_us: int) -> datetime:
    return datetime.fromtimestamp(time_us / 1_000_000, UTC)


def _ref_uri(reply: Any, key: str) -> str | None:
    ref = reply.get(key) if isinstance(reply, dict) else None
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if isinstance(uri, str) and uri else None


def _links(record: dict[str, Any]) -> list[str]:
    """Link facets first (in text order), then an external embed's URI."""
    found: list[str] = []
    facets = record.get("facets")
    for facet in facets if isinstance(facets, list) else []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and feature.get("$type") == _LINK_FEATURE:
                _add_uri(found, feature.get("uri"))
    embed = record.get("embed")
    if isinstance(embed, dict) and embed.get("$type") == _RECORD_WITH_MEDIA:
        embed = embed.get("media")  # the media half may be an external link card
    if isinstance(embed, dict) and embed.get("$type") == _EXTERNAL_EMBED:
        external = embed.get("external")
        if isinstance(external, dict):
            _add_uri(found, external.get("uri"))
    return found


def _add_uri(found: list[str], uri: Any) -> None:
    if isinstance(uri, str) and uri.startswith(("http://", "https://")) and uri not in found:
        found.append(uri)
