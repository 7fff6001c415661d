"""Text clean-up shared by the built-in enrichers."""

from __future__ import annotations

import re

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"(?<![\w@])@\w+")
# only the marker goes: the hashtag's word is usually real text ("#summer")
HASHTAG_MARK_RE = re.compile(r"(?<![\w#])#(?=\w)")


def strip_social_markup(text: str) -> str:
    """Drop URLs and @mentions and the '#' of hashtags."""
    # the `in` tests skip regex scans most posts don't need (they dominated the cost)
    if "://" in text or "www." in text or "WWW." in text:
        text = URL_RE.sub(" ", text)
    if "@" in text:
        text = MENTION_RE.sub(" ", text)
    if "#" in text:
        text = HASHTAG_MARK_RE.sub("", text)
    return text


def scrub_surrogates(text: str) -> str:
    """Replace lone surrogates (invalid in UTF-8) so encoders and C code can't choke."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text
