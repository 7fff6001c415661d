"""Normalize stage (pure): clean text, bound sizes, fill defaults, drop what
cannot be a post, with an error that names it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hubbub.pipeline.messages import PostBatch
from hubbub.post import MAX_FIELD_CHARS, MAX_TEXT_CHARS, Post, is_newer_edit
from hubbub.sources.base import ItemError

# C0/C1 control characters other than tab and newline, and lone surrogates
# (which a JSON encoder or a database would reject later, losing the batch).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    return _UNSAFE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


_SURROGATES = re.compile("[\ud800-\udfff]")


def scrub_surrogates(value: Any) -> Any:
    """Lone surrogates (from a JSON "\\ud800" escape, say) cannot be encoded as
    UTF-8, so no bus or database can carry them: drop them, everywhere in a value."""
    if isinstance(value, str):
        return _SURROGATES.sub("", value)
    if isinstance(value, list):
        return [scrub_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value


def _bounded(value: str | None, limit: int = MAX_FIELD_CHARS) -> str | None:
    if value is None:
        return None
    value = clean_text(str(value)).strip()
    return value[:limit] or None


def item_name(post: Post) -> str:
    return f"{post.platform}:{post.external_id}" + (f" ({post.url})" if post.url else "")


def normalize_post(post: Post, now: datetime) -> tuple[Post | None, list[ItemError]]:
    errors: list[ItemError] = []
    post.platform = (_bounded(post.platform, 40) or "unknown").lower()
    post.external_id = _bounded(post.external_id, 500) or ""
    if not post.external_id:
        return None, [
            ItemError(item_name(post), "post has no id; it cannot be stored idempotently")
        ]
    text = clean_text(post.text or "").strip()
    if len(text) > MAX_TEXT_CHARS:
        errors.append(
            ItemError(
                item_name(post),
                f"text truncated from {len(text):,} to {MAX_TEXT_CHARS:,} characters",
            )
        )
        text = text[:MAX_TEXT_CHARS]
    post.title = _bounded(post.title)
    if not text and post.title:
        text = post.title
    if not text:
        return None, [ItemError(item_name(post), "post has no text")]
    post.text = text
    post.url = _bounded(post.url)
    post.author_handle = _bounded(post.author_handle, 500)
    post.author_id = _bounded(post.author_id, 500)
    post.author_name = _bounded(post.author_name, 500)
    post.reply_to = _bounded(post.reply_to, 500)
    post.thread_root = _bounded(post.thread_root, 500)
    post.language = _bounded(post.language, 16)
    if post.language:
        post.language = post.language.lower()
    for name in ("author_followers", "likes", "reposts", "replies"):
        value = getattr(post, name)
        if value is not None and (not isinstance(value, int) or value < 0 or value > 2**31 - 1):
            setattr(post, name, None)
    links: list[str] = []
    for raw_link in post.links or []:
        link = _bounded(raw_link)
        if link and link.startswith(("http://", "https://")) and link not in links:
            links.append(link)
    post.links = links[:100]
    post.ingested_at = now
    if post.created_at is None:
        post.created_at = now
    elif post.created_at.tzinfo is None:
        post.created_at = post.created_at.replace(tzinfo=UTC)
    return post, errors


def normalize(batch: PostBatch, now: datetime) -> PostBatch:
    kept: list[Post] = []
    seen: dict[tuple[str, str], int] = {}  # key -> index in kept
    for post in batch.posts:
        normalized, errors = normalize_post(post, now)
        batch.errors.extend(errors)
        if normalized is None:
            continue
        if normalized.key in seen:  # the same item twice in one batch: keep its newest edit
            index = seen[normalized.key]
            if is_newer_edit(normalized.edited_at, kept[index].edited_at):
                kept[index] = normalized
            batch.duplicates_skipped += 1
            continue
        seen[normalized.key] = len(kept)
        kept.append(normalized)
    batch.posts = kept
    return batch
