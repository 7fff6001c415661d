"""Entities and key phrases of a post: hashtags, mentions, cashtags, links and
their registered domains, and a few key phrases.

Result (lists keep first-seen order, no repeats)::

    {"hashtags": ["acme"],                 # folded, without '#'; "#1" is not one
     "mentions": ["acmesupport", "ann@mastodon.social"],  # folded, without the first '@'
     "cashtags": ["TSLA"],                 # upper case, without '$'; "$5" is not one
     "links": ["https://www.acme.com/x"],  # post.links, then URLs written in the text
     "domains": ["acme.com"],              # registered domain of each link
     "phrases": ["battery drain", "update"]}

Key phrases are RAKE-style: the text (URLs, mentions and tags removed) is cut
into runs of content words at stopwords, punctuation and numbers; each run of
at most ``MAX_PHRASE_WORDS`` words is a candidate, scored by the sum of its
words' degree / frequency within the post, so longer and repeated phrases
rank first. Deterministic and pure Python regexes: ~20,000 posts/s a core
(docs/topics.md). Scripts written without spaces (Chinese, Japanese, Thai)
get no phrases: they would need a word segmenter.

The same tokenization (``content_runs``, ``ngrams``) feeds topic labels and
emerging-term counts in ``hubbub.analytics``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from hubbub.enrich.stopwords import STOPWORDS
from hubbub.hookspecs import hookimpl
from hubbub.post import Post

MAX_PHRASES = 5
MAX_PHRASE_WORDS = 4
# topic labels and emerging terms count n-grams up to this length
MAX_NGRAM = 3
MAX_LINKS = 20
# phrases come from the start of a long post (an article's lede names its topic)
MAX_CHARS = 5_000

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?…'\""
_HASHTAG_RE = re.compile(r"(?<![\w#&/])#(\w+)")
# "@ann" or a fediverse "@ann@mastodon.social"; never the host part of an e-mail address
_MENTION_RE = re.compile(r"(?<![\w@/.])@(\w[\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "$TSLA", "$brk.b"; not "$5", "$5.99" or "US$"
_CASHTAG_RE = re.compile(r"(?<![\w$])\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)(?![\w$])")
# A word: letters (with marks and inner apostrophes), digits allowed after the first letter.
_WORD_RE = re.compile(r"[^\W\d_](?:[\w]|['’](?=\w))*")
# Anything that ends a phrase: punctuation other than apostrophes and hyphens between words.
_BREAK_RE = re.compile(r"[^\w\s'’-]|(?<!\w)[-'’]|[-'’](?!\w)|\s-\s|_")
_NOSPACE_RE = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uf900-\ufaff]")

# Second-level labels under which registrations happen (acme.co.uk). A short
# list of the common ones instead of the whole public-suffix list.
_TWO_LABEL_SUFFIXES = frozenset(
    """
    co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk net.uk com.au net.au org.au edu.au gov.au
    co.nz org.nz govt.nz co.jp ne.jp or.jp ac.jp go.jp co.kr or.kr com.br net.br org.br gov.br
    com.cn net.cn org.cn gov.cn com.mx org.mx gob.mx co.in net.in org.in gov.in ac.in co.za
    org.za gov.za com.tr org.tr gov.tr com.ar org.ar gob.ar com.sg edu.sg gov.sg com.hk org.hk
    com.tw org.tw co.il org.il ac.il com.my com.ph com.vn com.pk com.ng com.eg com.sa co.id
    or.id ac.id co.th ac.th com.ua com.pl com.es com.pe com.co com.ve com.ec com.uy
    """.split()
)


@lru_cache(maxsize=100_000)
def fold_word(word: str) -> str:
    """Lower case, no accents, no possessive 's or apostrophes: "Café's" -> "cafe"."""
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(c for c in decomposed if not unicodedata.combining(c))
    word = word.casefold().replace("’", "'")
    return word.removesuffix("'s").replace("'", "")


def _strip_markup(text: str) -> str:
    """URLs, mentions, tags and cashtags out: they are entities, not phrase words.
    Each becomes a full stop, so no phrase reaches across one."""
    if "://" in text or "www." in text.lower():
        text = _URL_RE.sub(" . ", text)
    if "@" in text:
        text = _MENTION_RE.sub(" . ", _EMAIL_RE.sub(" . ", text))
    if "#" in text:
        text = _HASHTAG_RE.sub(" . ", text)
    if "$" in text:
        text = _CASHTAG_RE.sub(" . ", text)
    return text


def content_runs(text: str | None) -> list[list[str]]:
    """Runs of folded content words: the text cut at stopwords, punctuation,
    numbers and entities. "The battery drain after the update!" ->
    [["battery", "drain"], ["update"]]."""
    if not text:
        return []
    runs: list[list[str]] = []
    for segment in _BREAK_RE.split(_strip_markup(text[:MAX_CHARS])):
        run: list[str] = []
        pos = 0
        for m in _WORD_RE.finditer(segment):
            word = fold_word(m.group())
            # a number or a no-space-script run between words also ends the phrase
            gap = segment[pos : m.start()]
            pos = m.end()
            if any(c.isdigit() for c in gap):
                _close(run, runs)
                run = []
            if len(word) < 2 or word in STOPWORDS or _NOSPACE_RE.search(word):
                _close(run, runs)
                run = []
                continue
            run.append(word)
        _close(run, runs)
    return runs


def _close(run: list[str], runs: list[list[str]]) -> None:
    if run:
        runs.append(run)


def ngrams(runs: Iterable[Sequence[str]], max_n: int = MAX_NGRAM) -> set[str]:
    """Every 1..max_n-word n-gram inside the runs (never across a stopword):
    what topic labels and emerging terms count. Single words need 3 letters."""
    found: set[str] = set()
    for run in runs:
        for n in range(1, max_n + 1):
            for i in range(len(run) - n + 1):
                if n == 1 and len(run[i]) < 3:
                    continue
                found.add(" ".join(run[i : i + n]))
    return found


def key_phrases(text: str | None, limit: int = MAX_PHRASES) -> list[str]:
    """The post's best phrases, RAKE-scored, best first."""
    candidates: list[list[str]] = []
    for run in content_runs(text):
        # long runs are cut into even pieces: a 9-word run is no "key phrase"
        size = -(-len(run) // -(-len(run) // MAX_PHRASE_WORDS))
        for i in range(0, len(run), size):
            piece = run[i : i + size]
            if len(piece) > 1 or len(piece[0]) >= 3:
                candidates.append(piece)
    if not candidates:
        return []
    freq: dict[str, int] = defaultdict(int)
    degree: dict[str, int] = defaultdict(int)
    for piece in candidates:
        for word in piece:
            freq[word] += 1
            degree[word] += len(piece)
    scored: dict[str, tuple[float, int]] = {}
    for position, piece in enumerate(candidates):
        phrase = " ".join(piece)
        if phrase not in scored:
            score = sum(degree[w] / freq[w] for w in piece)
            scored[phrase] = (-score, position)
    return sorted(scored, key=scored.__getitem__)[:limit]


def registered_domain(url: str) -> str | None:
    """ "https://WWW.Blog.Acme.co.uk/x" -> "acme.co.uk"; None for a URL without a host."""
    raw = url.strip()
    if raw.lower().startswith("www."):
        raw = "http://" + raw
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) < 2 or all(label.isdigit() for label in labels):
        return host or None  # "localhost", an IP address
    keep = 3 if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES and len(labels) >= 3 else 2
    return ".".join(labels[-keep:])


def hashtags(text: str) -> list[str]:
    found = (m.casefold() for m in _HASHTAG_RE.findall(_URL_RE.sub(" ", text)))
    return _unique(tag for tag in found if not tag.isdigit())


def mentions(text: str) -> list[str]:
    found = (m.rstrip(".-").casefold() for m in _MENTION_RE.findall(_URL_RE.sub(" ", text)))
    return _unique(found)


def cashtags(text: str) -> list[str]:
    return _unique(m.upper() for m in _CASHTAG_RE.findall(text)) if "$" in text else []


def links(post_links: Iterable[str], text: str) -> list[str]:
    written = (m.rstrip(_URL_TRAILING) for m in _URL_RE.findall(text)) if "." in text else ()
    return _unique(u.strip() for u in [*post_links, *written] if u and u.strip())[:MAX_LINKS]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def extract(text: str | None, post_links: Iterable[str] = ()) -> dict[str, Any]:
    """The enricher's result for one text (and the links its source extracted)."""
    text = (text or "")[:MAX_CHARS]
    found_links = links(post_links, text)
    domains = _unique(d for d in map(registered_domain, found_links) if d)
    return {
        "hashtags": hashtags(text) if "#" in text else [],
        "mentions": mentions(text) if "@" in text else [],
        "cashtags": cashtags(text),
        "links": found_links,
        "domains": domains,
        "phrases": key_phrases(text),
    }


class PhrasesEnricher:
    name = "phrases"
    version = "1"
    requires: tuple[str, ...] = ()

    def enrich(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        out = []
        for post in posts:
            text = f"{post.title}. {post.text}" if post.title else post.text
            out.append(extract(text, post.links or ()))
        return out


@hookimpl
def hubbub_enrichers(settings: Any) -> list[Any]:
    return [PhrasesEnricher()]
