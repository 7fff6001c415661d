"""Counting a reply's length the way each platform does."""

from __future__ import annotations

import regex

# what a person sees as one character (an emoji with its modifiers, a letter
# with its accents): both Mastodon and Bluesky count these
_GRAPHEME = regex.compile(r"\X")
URL_RE = regex.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]")
# "@user@example.social": Mastodon counts only "@user"
_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w", regex.ASCII)
MASTODON_URL_LENGTH = 23  # every link counts as this many, whatever its length
# what a link is replaced with before counting: MASTODON_URL_LENGTH graphemes
_COUNTED_LINK = "x" * MASTODON_URL_LENGTH


def graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def mastodon_length(text: str) -> int:
    """Mastodon's count: links count 23, remote mentions only their user part."""
    counted = URL_RE.sub(_COUNTED_LINK, text)
    counted = _REMOTE_MENTION.sub(r"\1", counted)
    return graphemes(counted)
