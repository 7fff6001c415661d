"""The one text normalisation used both when training and when scoring."""

from __future__ import annotations

import html
import re
from functools import cache
from importlib.resources import files

from hubbub.enrich.text import scrub_surrogates

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<!\w)@\w+")
_SPACE_RE = re.compile(r"\s+")

# The model reads at most its max_tokens anyway; this bounds tokenizer work.
MAX_CHARS = 1_000

# Recorded with each result (TrainedSentiment.version): 2 spells emoji out.
REVISION = 2

# What only dresses an emoji: the emoji presentation selector and skin tones
_EMOJI_DRESSING = frozenset(["\ufe0f", *map(chr, range(0x1F3FB, 0x1F400))])
_ZWJ = "\u200d"


def normalize(text: str) -> str:
    """Links and @handles carry no tone and vary endlessly: one token each
    (as TweetEval does); HTML entities decoded; emoji spelled out;
    whitespace collapsed."""
    text = html.unescape(scrub_surrogates(text[: MAX_CHARS * 2]))
    text = _URL_RE.sub("http", text)
    text = _MENTION_RE.sub("@user", text)
    if not text.isascii():
        text = spell_emoji(text)
    return _SPACE_RE.sub(" ", text).strip()[:MAX_CHARS]


def spell_emoji(text: str) -> str:
    """Each emoji as its CLDR short name ("😡" -> " pouting face "), from the
    list VADER ships. MiniLM's vocabulary has no emoji: it read any run of
    them as one [UNK], which the tweets it was tuned on (none has an emoji)
    had left leaning positive, so "new update 😡😡" scored positive. The
    names are words it knows. Joiners and skin tones between emoji go; in
    other scripts (a joiner shapes Indic and Arabic letters) they stay."""
    names = emoji_names()
    out: list[str] = []
    after_emoji = False
    for ch in text:
        if after_emoji and (ch in _EMOJI_DRESSING or ch == _ZWJ):
            continue  # (the lexicon names skin tones too: "medium skin tone")
        name = names.get(ch)
        if name is not None:
            out.append(f" {name} ")
            after_emoji = True
        else:
            out.append(ch)
            after_emoji = False
    return "".join(out)


@cache
def emoji_names() -> dict[str, str]:
    """Single-character emoji -> CLDR short name (vaderSentiment's
    emoji_utf8_lexicon.txt; sequences such as flags are left as they are)."""
    lexicon = files("vaderSentiment").joinpath("emoji_utf8_lexicon.txt")
    names: dict[str, str] = {}
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        emoji, _, name = line.partition("\t")
        if len(emoji) == 1 and name.strip():
            names[emoji] = name.strip()
    return names
