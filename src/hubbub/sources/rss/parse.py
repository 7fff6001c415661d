"""Feed bytes -> Posts. Pure: no network, no clock (the caller passes ``fetched_at``).

feedparser reads RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom from the raw bytes, so
whatever encoding the document declares (XML prolog, BOM, or the HTTP charset
passed as ``content_type``) is honoured.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from hubbub.post import Post
from hubbub.sources.base import ItemError, SourceError
from hubbub.sources.html import collapse_text, html_to_text

GENERIC_PLATFORM = "rss"
REDDIT_PLATFORM = "reddit"
FEED_ITEM = "feed"  # the ItemError.item for problems with the document as a whole

_RAW_STRING_LIMIT = 500  # keeps Post.raw at a few KB
_RAW_LIST_LIMIT = 10
_REDDIT_THING = re.compile(r"^t[1-6]_[0-9a-z]+$")
_REDDIT_COMMENTS = re.compile(r"/comments/([0-9a-z]+)(?:/[^/]*/([0-9a-z]+))?/?")


@dataclass
class ParsedFeed:
    posts: list[Post] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    feed_title: str | None = None


def parse_feed(
    body: bytes,
    *,
    content_type: str | None,
    feed_url: str,
    fetched_at: datetime,
    source_url: str | None = None,
) -> ParsedFeed:
    """Parse a fetched feed document.

    Raises SourceError when ``body`` is not a feed at all (an HTML page, junk,
    or a document so broken that no entry survives). A feed feedparser flags
    as malformed but still reads entries from keeps them and reports the
    problem as an ItemError on ``"feed"``; one entry that cannot become a Post
    is an ItemError naming it and the others are kept.

    ``feed_url`` is where the document was fetched from (after redirects): the
    base for relative links. ``source_url``, the URL the source was configured
    with (default: ``feed_url``), picks the platform and scopes feed-local ids,
    so they stay stable if the server's redirects change.
    """
    source_url = source_url or feed_url
    headers = {"content-location": feed_url}  # base for relative links inside the feed
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(body, response_headers=headers)
    except Exception as exc:  # feedparser is lenient; anything it raises means "not readable"
        raise SourceError(f"{feed_url} could not be parsed: {type(exc).__name__}: {exc}") from exc
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, feedparser.NonXMLContentType):
        # Servers often send feeds as text/html or text/plain; harmless.
        problem = None

    if not entries and (problem is not None or not parsed.get("version")):
        reason = f": {problem}" if problem is not None else ""
        raise SourceError(f"{feed_url} is not an RSS or Atom feed{reason}")

    result = ParsedFeed(feed_title=_clean(parsed.get("feed", {}).get("title")))
    if problem is not None:
        result.errors.append(
            ItemError(FEED_ITEM, f"feed is not well-formed, entries read anyway: {problem}")
        )

    platform = platform_for(source_url)
    for index, entry in enumerate(entries):
        try:
            post = _entry_to_post(
                entry, platform, feed_url, source_url, fetched_at, result.feed_title
            )
            result.posts.append(post)
        except _EntryError as exc:
            result.errors.append(ItemError(_entry_name(entry, index), str(exc)))
        except Exception as exc:  # an entry shaped in a way we did not foresee: skip only it
            message = f"could not read entry: {type(exc).__name__}: {exc}"
            result.errors.append(ItemError(_entry_name(entry, index), message))
    return result


def platform_for(feed_url: str) -> str:
    host = (urlsplit(feed_url).hostname or "").lower()
    if host == "reddit.com" or host.endswith(".reddit.com"):
        return REDDIT_PLATFORM
    return GENERIC_PLATFORM


class _EntryError(Exception):
    pass


def _entry_to_post(
    entry: Any,
    platform: str,
    feed_url: str,
    source_url: str,
    fetched_at: datetime,
    feed_title: str | None,
) -> Post:
    link = _absolute(entry.get("link"), feed_url)
    title = _title(entry, feed_url)
    text, links = _body(entry, feed_url)
    if not text:
        text = title or ""
    if not text:
        raise _EntryError("entry has neither a title nor any content")

    for enclosure in entry.get("enclosures") or []:
        href = _absolute(enclosure.get("href"), feed_url)
        if href and href not in links:
            links.append(href)

    author_name, author_handle = _author(entry, platform)
    return Post(
        platform=platform,
        external_id=_external_id(entry, platform, source_url, link, title, text),
        text=text,
        url=link,
        title=title,
        author_name=author_name,
        author_handle=author_handle,
        created_at=_date(entry) or fetched_at,
        links=links,
        raw=_raw(entry, source_url, feed_title),
    )


def _external_id(
    entry: Any, platform: str, scope: str, link: str | None, title: str | None, text: str
) -> str:
    entry_id = (entry.get("id") or "").strip()
    if platform == REDDIT_PLATFORM:
        # Reddit's own ids (t3_ posts, t1_ comments), so the same post read from
        # two feeds, or later from the API, is one post.
        if _REDDIT_THING.match(entry_id):
            return entry_id
        match = _REDDIT_COMMENTS.search(link or entry_id)
        if match:
            post_id, comment_id = match.groups()
            return f"t1_{comment_id}" if comment_id else f"t3_{post_id}"
    if entry_id:
        # A guid like "1234" is only unique within its feed; URIs (http:, tag:,
        # urn:) are unique everywhere and are kept as they are.
        return entry_id if ":" in entry_id else f"{scope}#{entry_id}"
    if link:
        return link
    digest = hashlib.sha256(f"{scope}\n{title or ''}\n{text}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def _title(entry: Any, feed_url: str) -> str | None:
    title = entry.get("title")
    if not title:
        return None
    detail = entry.get("title_detail") or {}
    if "html" in (detail.get("type") or ""):
        return html_to_text(title, feed_url)[0] or None
    return _clean(title)


def _body(entry: Any, feed_url: str) -> tuple[str, list[str]]:
    """The richest body the entry has: its content, else its summary."""
    candidates = [c for c in entry.get("content") or [] if c.get("value")]
    if entry.get("summary"):
        candidates.append(
            entry.get("summary_detail") or {"value": entry["summary"], "type": "text/html"}
        )
    for candidate in candidates:
        value = candidate.get("value") or ""
        base = candidate.get("base") or feed_url
        if "html" in (candidate.get("type") or "text/html"):
            text, links = html_to_text(value, base)
        else:
            text, links = collapse_text(value), []
        if text:
            return text, links
    return "", []


def _author(entry: Any, platform: str) -> tuple[str | None, str | None]:
    detail = entry.get("author_detail") or {}
    name = _clean(detail.get("name") or entry.get("author"))
    handle = detail.get("email") or None
    if platform == REDDIT_PLATFORM:
        # Reddit writes authors as "/u/name" with the profile as the author URI.
        candidate = name or ""
        href = detail.get("href") or ""
        if "/user/" in href:
            candidate = href.rstrip("/").rsplit("/", 1)[-1]
        handle = candidate.removeprefix("/u/").removeprefix("u/") or None
        name = handle or name
    return name, handle or name


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                # feedparser normalises to a UTC struct_time.
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _raw(entry: Any, source_url: str, feed_title: str | None) -> dict[str, Any]:
    raw: dict[str, Any] = {"feed_url": source_url}
    if feed_title:
        raw["feed_title"] = _short(feed_title)
    for key in ("id", "link", "title", "published", "updated", "author", "comments"):
        value = entry.get(key)
        if isinstance(value, str) and value:
            raw[key] = _short(value)
    tags = [t.get("term") for t in entry.get("tags") or [] if isinstance(t.get("term"), str)]
    if tags:
        raw["tags"] = [_short(t) for t in tags[:_RAW_LIST_LIMIT]]
    enclosures = [
        {k: _short(str(v)) for k, v in e.items() if k in ("href", "type", "length")}
        for e in (entry.get("enclosures") or [])[:_RAW_LIST_LIMIT]
    ]
    if enclosures:
        raw["enclosures"] = enclosures
    return raw


def _entry_name(entry: Any, index: int) -> str:
    for key, label in (("id", "id"), ("link", "link"), ("title", "title")):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return f"entry {index + 1} ({label} {_short(value.strip(), 200)})"
    return f"entry {index + 1}"


def _absolute(href: Any, base: str) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip())
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return collapse_text(value) or None


def _short(value: str, limit: int = _RAW_STRING_LIMIT) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
