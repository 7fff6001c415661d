"""Text normalisation and tokenization shared by the matcher, the parser and
the full-text index.

A token is a *key*: a lowercase, accent-folded string made only of letters,
digits and ``# @ _``, so the very same string works as a dict key in the
matcher, as an FTS5 token and as a PostgreSQL lexeme. Anything else (emoji,
symbols, combining marks that survive folding) is spelled ``_u<hex>``.

Rules:

* words are runs of letters/digits/underscore (with their combining marks);
  apostrophes and other punctuation split words (``acme's`` -> ``acme``, ``s``);
* ``#tag`` emits ``#tag`` and ``tag`` at the same position, ``@name`` likewise;
* URLs emit their host labels (without ``www``) and path words, never the scheme;
* scripts written without spaces (Han, Kana, Thai, Lao, Khmer, Myanmar) emit
  one token per character; a term in such a script matches as a contiguous run;
* each emoji / symbol is a token of its own (skin tones and joiners dropped).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache


def _ranges(pred: Callable[[int], bool], limit: int = sys.maxunicode + 1) -> str:
    """A regex character-class body for every code point satisfying ``pred``."""
    out: list[str] = []
    start = -1
    for cp in range(limit):
        ok = pred(cp)
        if ok and start < 0:
            start = cp
        elif not ok and start >= 0:
            out.append(_span(start, cp - 1))
            start = -1
    if start >= 0:
        out.append(_span(start, limit - 1))
    return "".join(out)


def _span(a: int, b: int) -> str:
    return re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"


_NOSPACE_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK ext A
    (0x4E00, 0x9FFF),  # CJK unified
    (0xF900, 0xFAFF),  # CJK compatibility
    (0xFF66, 0xFF9F),  # halfwidth Katakana
    (0x20000, 0x3134F),  # CJK ext B..G
)


def _is_nospace(cp: int) -> bool:
    return any(a <= cp <= b for a, b in _NOSPACE_BLOCKS) and unicodedata.category(chr(cp))[0] == "L"


def _is_mark(cp: int) -> bool:
    return unicodedata.category(chr(cp))[0] == "M"


def _is_symbol(cp: int) -> bool:
    # So: emoji, dingbats, ™ ©; skin-tone modifiers are Sk and dropped.
    return unicodedata.category(chr(cp)) == "So"


_MARKS = _ranges(_is_mark)
_NOSPACE = "".join(_span(a, b) for a, b in _NOSPACE_BLOCKS)
_SYMBOLS = _ranges(_is_symbol)

# Order matters: URLs first, then tags, then no-space units, words, symbols.
_TOKEN_RE = re.compile(
    rf"""
    (?P<url>(?i:https?://|www\.)[^\s<>"'()\[\]{{}}]+)
  | (?<![\w@#])(?P<tag>[#@])(?P<tagword>[^\W{_NOSPACE}]+(?:[{_MARKS}]+[^\W{_NOSPACE}]*)*)
  | (?P<nospace>[{_NOSPACE}][{_MARKS}]*)
  | (?P<word>[^\W{_NOSPACE}]+(?:[{_MARKS}]+[^\W{_NOSPACE}]*)*)
  | (?P<symbol>[{_SYMBOLS}])
    """,
    re.VERBOSE,
)
_ASCII_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"'()\[\]{}]+)|(?<![\w@#])(?P<tag>[#@])(?P<tagword>\w+)|(?P<word>\w+)",
    re.ASCII,
)
_WORD_RE = re.compile(rf"[^\W{_NOSPACE}]+(?:[{_MARKS}]+[^\W{_NOSPACE}]*)*|[{_NOSPACE}][{_MARKS}]*")
_URL_TRAILING = ".,;:!?…"
_LATIN_LIMIT = 0x0530  # fold accents on Latin, Greek, Cyrillic, Armenian only


@dataclass(frozen=True, slots=True)
class Token:
    key: str  # folded key (what the index stores)
    cased: str  # case preserved, accents folded: for {Case} terms
    position: int  # word position within its field
    start: int  # char offsets into the original text (for highlighting)
    end: int


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    out: list[str] = []
    base_latin = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if base_latin:
                continue
        else:
            base_latin = ord(ch) < _LATIN_LIMIT
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _encode(text: str) -> str:
    """Spell every char that is not a letter, digit or ``# @ _`` as ``_u<hex>``."""
    if text.isascii() or all(unicodedata.category(c)[0] in "LN" or c in "#@_" for c in text):
        return text
    return "".join(
        c if unicodedata.category(c)[0] in "LN" or c in "#@_" else f"_u{ord(c):x}" for c in text
    )


@lru_cache(maxsize=200_000)
def fold(word: str) -> tuple[str, str]:
    """(key, cased) for one word: NFKC, accent folding, key also casefolded."""
    if word.isascii():
        return word.lower(), word
    cased = _fold_accents(unicodedata.normalize("NFKC", word))
    return _encode(cased.casefold()), _encode(cased)


def symbol_key(ch: str) -> str:
    return f"_u{ord(ch):x}"


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` with word positions and char offsets."""
    tokens: list[Token] = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "word" or kind == "nospace":
            key, cased = fold(m.group())
            # NFKC can split one char into pieces ("½" -> "1⁄2"): keep it one token.
            tokens.append(Token(key, cased, pos, m.start(), m.end()))
            pos += 1
        elif kind == "tagword":
            sign = m.group("tag")
            key, cased = fold(m.group("tagword"))
            tokens.append(Token(sign + key, sign + cased, pos, m.start(), m.end()))
            tokens.append(Token(key, cased, pos, m.start("tagword"), m.end()))
            pos += 1
        elif kind == "symbol":
            key = symbol_key(m.group())
            tokens.append(Token(key, key, pos, m.start(), m.end()))
            pos += 1
        elif kind == "url":
            pos = _tokenize_url(m.group().rstrip(_URL_TRAILING), m.start(), pos, tokens)
    return tokens


def key_positions(text: str) -> dict[str, list[int]]:
    """Key -> word positions; the same as grouping ``tokenize(text)`` by key, only faster
    (no offsets, no Token objects, whole ASCII texts lowercased at once)."""
    if text.isascii():
        return _ascii_key_positions(text.lower())
    positions: dict[str, list[int]] = {}
    get = positions.get
    is_ascii = False
    pos = 0
    for url, sign, tagword, nospace, word, symbol in _TOKEN_RE.findall(text):
        keys: tuple[str, ...]
        if word:
            keys = (word if is_ascii else fold(word)[0],)
        elif tagword:
            key = tagword if is_ascii else fold(tagword)[0]
            keys = (sign + key, key)
        elif nospace:
            keys = (fold(nospace)[0],)
        elif symbol:
            keys = (symbol_key(symbol),)
        else:
            url_tokens: list[Token] = []
            end = _tokenize_url(url.rstrip(_URL_TRAILING), 0, pos, url_tokens)
            for tok in url_tokens:
                where = get(tok.key)
                if where is None:
                    positions[tok.key] = [tok.position]
                else:
                    where.append(tok.position)
            pos = end
            continue
        for key in keys:
            where = get(key)
            if where is None:
                positions[key] = [pos]
            else:
                where.append(pos)
        pos += 1
    return positions


def _ascii_key_positions(text: str) -> dict[str, list[int]]:
    """``key_positions`` for lowercased ASCII text: no marks, no-space scripts or symbols."""
    positions: dict[str, list[int]] = {}
    get = positions.get
    pos = 0
    for url, sign, tagword, word in _ASCII_TOKEN_RE.findall(text):
        if word:
            where = get(word)
            if where is None:
                positions[word] = [pos]
            else:
                where.append(pos)
        elif tagword:
            for key in (sign + tagword, tagword):
                where = get(key)
                if where is None:
                    positions[key] = [pos]
                else:
                    where.append(pos)
        else:
            url_tokens: list[Token] = []
            end = _tokenize_url(url.rstrip(_URL_TRAILING), 0, pos, url_tokens)
            for tok in url_tokens:
                positions.setdefault(tok.key, []).append(tok.position)
            pos = end
            continue
        pos += 1
    return positions


def _tokenize_url(url: str, offset: int, pos: int, tokens: list[Token]) -> int:
    body_start = url.find("//") + 2 if "//" in url else 0
    for w in _WORD_RE.finditer(url, body_start):
        key, cased = fold(w.group())
        if key == "www" and w.start() == body_start:
            continue
        tokens.append(Token(key, cased, pos, offset + w.start(), offset + w.end()))
        pos += 1
    return pos


def is_nospace_key(key: str) -> bool:
    """True for a single character of a script written without spaces."""
    if key.isascii():  # nearly every key, and never such a script: skip the block scan
        return False
    return _is_nospace(ord(key[0])) and not any(_is_nospace(ord(c)) for c in key[1:])


def has_nospace(key: str) -> bool:
    """True if any character of ``key`` is from a script written without spaces."""
    return not key.isascii() and any(_is_nospace(ord(c)) for c in key)


def index_tokens(text: str, title: str | None = None) -> list[str]:
    """The keys stored for full-text search, title first, in position order.

    Runs of no-space-script characters at adjacent positions also emit their
    bigrams, so a CJK term can be searched by bigram instead of single chars.
    """
    out: list[str] = []
    for part in (title, text):
        if not part:
            continue
        prev: Token | None = None
        for tok in tokenize(part):
            out.append(tok.key)
            if (
                prev is not None
                and prev.position + 1 == tok.position
                and is_nospace_key(prev.key)
                and is_nospace_key(tok.key)
            ):
                out.append(prev.key + tok.key)
            prev = tok
    return out


def index_text(text: str, title: str | None = None) -> str:
    """The value of ``posts.search_text``: folded keys joined by single spaces.

    Title tokens are included unprefixed (a ``title:`` restriction is confirmed
    by the exact matcher). Never has leading, trailing or double spaces, so
    ``string_to_array(search_text, ' ')`` yields no empty lexeme.
    """
    return " ".join(index_tokens(text or "", title))
