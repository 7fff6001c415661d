"""The one text normalisation used both when training and when scoring."""

from __future__ import annotations

import html
import re

from hubbub.enrich.text import scrub_surrogates

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<!\w)@\w+")
_SPACE_RE = re.compile(r"\s+")

# The model reads at most its max_tokens anyway; this bounds tokenizer work.
MAX_CHARS = 1_000


def normalize(text: str) -> str:
    """Links and @handles carry no tone and vary endlessly: one token each
    (as TweetEval does); HTML entities decoded; whitespace collapsed."""
    text = html.unescape(scrub_surrogates(text[: MAX_CHARS * 2]))
    text = _URL_RE.sub("http", text)
    text = _MENTION_RE.sub("@user", text)
    return _SPACE_RE.sub(" ", text).strip()[:MAX_CHARS]
