"""Exact matching of parsed queries against posts, one query or many.

A post is analysed once into a ``Doc`` (tokens per part: title and body);
each query is compiled once into closures over a Doc. ``QueryIndex`` keeps a
token -> queries map of the tokens each query cannot match without, so a post
only evaluates the queries that share a token with it (plus the few with no
such token, e.g. pure field filters).

Positions: each part (title, body) has its own word positions, so a phrase or
NEAR never spans from the title into the body. ``a NEAR/n b`` holds when at
most ``n`` words separate the two (``NEAR/0`` = adjacent, either order; the
``f`` form keeps the order). A group's positions inside NEAR are those of the
matching terms inside it; a NEAR's own positions span both of its sides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from hubbub.listening.ast import And, Filter, Near, Node, Not, Or, Phrase, Scope, Term, to_text
from hubbub.listening.tokenize import Token, key_positions, tokenize
from hubbub.post import Post

PARTS = ("title", "text")
TITLE, BODY = 0, 1

MEDIA_EXTENSIONS = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".heic",
    ".mp4",
    ".mov",
    ".webm",
    ".m4v",
    ".m3u8",
)
MEDIA_HOSTS = (
    "i.redd.it",
    "v.redd.it",
    "i.imgur.com",
    "pbs.twimg.com",
    "video.twimg.com",
    "youtu.be",
)
MEDIA_URL_PARTS = ("youtube.com/watch", "youtube.com/shorts", "vimeo.com/")
REPOST_RAW_KEYS = ("repost", "is_repost", "reblog", "retweeted_status", "reposted")
# The enrichments the filters read (sentiment:, intent:, has:media, is:repost):
# a file of enriched records must hand these to the matcher as enrichments.
ENRICHMENTS_READ = ("sentiment", "intents", "intent", "media", "repost")
_URL_IN_TEXT = re.compile(r"https?://", re.I)

Span = tuple[int, int]  # first and last word position, inclusive


class Part:
    """One analysed part of a post: its tokens by key."""

    __slots__ = ("__dict__", "positions", "text")

    def __init__(self, text: str | None) -> None:
        self.text = text or ""
        self.positions: dict[str, list[int]] = key_positions(text) if text else {}

    @cached_property
    def tokens(self) -> list[Token]:
        """Full tokens with offsets: only built for explanations and {Case} terms."""
        return tokenize(self.text)

    @cached_property
    def cased(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for tok in self.tokens:
            out.setdefault(tok.cased, []).append(tok.position)
        return out


class Doc:
    """A post analysed for matching; build it once per post with ``analyse``."""

    def __init__(self, post: Post) -> None:
        self.post = post
        self.parts = (Part(post.title), Part(post.text))
        title, body = self.parts[TITLE].positions, self.parts[BODY].positions
        self.keys: set[str] = title.keys() | body.keys() if title else set(body)

    @cached_property
    def hosts(self) -> list[str]:
        out = []
        for url in self.urls:
            try:
                host = urlsplit(url if "//" in url else "//" + url).hostname
            except ValueError:
                continue
            if host:
                out.append(host.removeprefix("www."))
        return out

    @cached_property
    def urls(self) -> list[str]:
        post = self.post
        urls = [u for u in post.links or () if isinstance(u, str)]
        if post.url:
            urls.append(post.url)
        return urls

    @cached_property
    def urls_folded(self) -> list[str]:
        return [u.casefold() for u in self.urls]


def analyse(post: Post) -> Doc:
    return Doc(post)


Check = Callable[[Doc, int | None], bool]  # (doc, part or None for both) -> matched
Spans = Callable[[Doc, int], list[Span]]  # (doc, part) -> where it matched


# -- compiling ---------------------------------------------------------------


def _scopes(scope: int | None) -> tuple[int, ...]:
    return (TITLE, BODY) if scope is None else (scope,)


def _term_positions(term: Term) -> Callable[[Part], list[int]]:
    """Where ``term`` occurs in a part (sorted positions)."""
    if term.wildcard:
        stem, fullmatch = term.stem, term.pattern.fullmatch
        cased = term.case_sensitive

        def wild(part: Part) -> list[int]:
            table = part.cased if cased else part.positions
            found: list[int] = []
            for key, where in table.items():
                if (key.casefold() if cased else key).startswith(stem) and fullmatch(key):
                    found.extend(where)
            return sorted(set(found))

        return wild
    key = term.key
    if term.case_sensitive:
        return lambda part: part.cased.get(key, [])
    return lambda part: part.positions.get(key, [])


def _compile_term(term: Term) -> Check:
    if not term.wildcard and not term.case_sensitive:
        key = term.key

        def exact(doc: Doc, scope: int | None) -> bool:
            return key in doc.keys if scope is None else key in doc.parts[scope].positions

        return exact
    where = _term_positions(term)
    return lambda doc, scope: any(where(doc.parts[s]) for s in _scopes(scope))


def _phrase_spans(phrase: Phrase) -> Spans:
    finders = [_term_positions(t) for t in phrase.terms]
    length = len(finders) - 1

    def spans(doc: Doc, scope: int) -> list[Span]:
        part = doc.parts[scope]
        first = finders[0](part)
        if not first:
            return []
        rest = []
        for find in finders[1:]:
            found = find(part)
            if not found:
                return []
            rest.append(set(found))
        return [(p, p + length) for p in first if all(p + i + 1 in s for i, s in enumerate(rest))]

    return spans


def _near_spans(node: Near, left: Spans, right: Spans) -> Spans:
    gap, ordered = node.distance, node.ordered

    def spans(doc: Doc, scope: int) -> list[Span]:
        lefts = left(doc, scope)
        if not lefts:
            return []
        rights = right(doc, scope)
        out = []
        for a in lefts:
            for b in rights:
                if (a[1] < b[0] and b[0] - a[1] - 1 <= gap) or (
                    not ordered and b[1] < a[0] and a[0] - b[1] - 1 <= gap
                ):
                    out.append((min(a[0], b[0]), max(a[1], b[1])))
        return out

    return spans


def compile_spans(node: Node) -> Spans:
    """Where a positional node matched inside one part (for NEAR operands)."""
    if isinstance(node, Term):
        where = _term_positions(node)
        return lambda doc, scope: [(p, p) for p in where(doc.parts[scope])]
    if isinstance(node, Phrase):
        return _phrase_spans(node)
    if isinstance(node, Near):
        return _near_spans(node, compile_spans(node.left), compile_spans(node.right))
    if isinstance(node, Scope):
        inner = compile_spans(node.child)
        only = PARTS.index(node.part)
        return lambda doc, scope: inner(doc, scope) if scope == only else []
    if isinstance(node, Or):
        alternatives = [compile_spans(c) for c in node.children]
        return lambda doc, scope: [s for alt in alternatives for s in alt(doc, scope)]
    if isinstance(node, And):
        # A group: it must hold (anywhere in the post); its positions are its terms'.
        whole = compile_check(node)
        positive = [compile_spans(c) for c in node.children if not isinstance(c, Not | Filter)]

        def group(doc: Doc, scope: int) -> list[Span]:
            if not whole(doc, None):
                return []
            return [s for p in positive for s in p(doc, scope)]

        return group
    return lambda doc, scope: []  # NOT and filters have no position


def compile_check(node: Node) -> Check:
    """A closure telling whether ``node`` matches a Doc (within a part, or anywhere)."""
    if isinstance(node, Term):
        return _compile_term(node)
    if isinstance(node, Phrase | Near):
        spans = compile_spans(node)
        return lambda doc, scope: any(spans(doc, s) for s in _scopes(scope))
    if isinstance(node, And):
        # Cheap checks first: plain terms, then filters, then the rest.
        children = sorted(node.children, key=_cost)
        checks = [compile_check(c) for c in children]
        return lambda doc, scope: all(c(doc, scope) for c in checks)
    if isinstance(node, Or):
        checks = [compile_check(c) for c in sorted(node.children, key=_cost)]
        return lambda doc, scope: any(c(doc, scope) for c in checks)
    if isinstance(node, Not):
        inner = compile_check(node.child)
        return lambda doc, scope: not inner(doc, scope)
    if isinstance(node, Scope):
        inner = compile_check(node.child)
        only = PARTS.index(node.part)
        return lambda doc, scope: inner(doc, only)
    return _compile_filter(node)


def _cost(node: Node) -> int:
    if isinstance(node, Term):
        return 0 if not node.wildcard and not node.case_sensitive else 2
    if isinstance(node, Filter):
        return 1
    if isinstance(node, Not):
        return 1 + _cost(node.child)
    return 3


# -- field filters -----------------------------------------------------------


def _compile_filter(f: Filter) -> Check:
    test = _filter_test(f)
    return lambda doc, scope: test(doc)


def _folded(value: Any) -> str:
    return value.casefold() if isinstance(value, str) else ""


def _filter_test(f: Filter) -> Callable[[Doc], bool]:
    value = f.value
    name = f.name
    if name == "lang":
        prefixes = (value + "-", value + "_")
        return lambda doc: (
            (lang := _folded(doc.post.language)) == value or lang.startswith(prefixes)
        )
    if name == "platform":
        return lambda doc: _folded(doc.post.platform) == value
    if name == "author":
        return lambda doc: _folded(doc.post.author_handle).lstrip("@") == value
    if name == "site":
        suffix = "." + value
        return lambda doc: any(h == value or h.endswith(suffix) for h in doc.hosts)
    if name == "url":
        return lambda doc: any(value in u for u in doc.urls_folded)
    if name == "followers":
        return _followers_test(f.op, int(value))
    if name == "sentiment":
        return lambda doc: _sentiment_label(doc.post) == value
    if name == "intent":
        return lambda doc: value in _intent_labels(doc.post)
    if name == "has":
        return _has_media if value == "media" else _has_link
    if name == "is":
        return _is_repost if value == "repost" else lambda doc: bool(doc.post.reply_to)
    raise ValueError(f"unknown filter {name!r}")  # the parser never produces one


def _followers_test(op: str, n: int) -> Callable[[Doc], bool]:
    compare: Callable[[int], bool] = {
        ">": lambda v: v > n,
        ">=": lambda v: v >= n,
        "<": lambda v: v < n,
        "<=": lambda v: v <= n,
    }[op]

    def test(doc: Doc) -> bool:
        followers = doc.post.author_followers
        return isinstance(followers, int) and compare(followers)

    return test


def _sentiment_label(post: Post) -> str:
    sentiment = (post.enrichments or {}).get("sentiment")
    if isinstance(sentiment, dict):
        return _folded(sentiment.get("label"))
    return _folded(sentiment)


def _intent_labels(post: Post) -> set[str]:
    # the intents enricher (and a person's correction): {"labels": [...], ...};
    # a bare "intent" list of labels or {"label", "score"} dicts also reads
    found = post.enrichments or {}
    intents = found.get("intents")
    intent = intents.get("labels") if isinstance(intents, dict) else found.get("intent")
    items: Iterable[Any] = (
        intent if isinstance(intent, list | tuple) else [intent] if intent else []
    )
    labels = set()
    for item in items:
        if isinstance(item, dict):
            labels.add(_folded(item.get("label")))
        else:
            labels.add(_folded(item))
    return labels


def _has_link(doc: Doc) -> bool:
    """Links extracted by the source, or a URL written in the text."""
    return bool(doc.post.links) or bool(_URL_IN_TEXT.search(doc.post.text or ""))


def _has_media(doc: Doc) -> bool:
    """An image or video: enrichments["media"] / raw["media"], or a link to one."""
    post = doc.post
    if (post.enrichments or {}).get("media") or (
        isinstance(post.raw, dict) and post.raw.get("media")
    ):
        return True
    for url in doc.urls_folded:
        path = url.split("?", 1)[0].split("#", 1)[0]
        if path.endswith(MEDIA_EXTENSIONS) or any(p in url for p in MEDIA_URL_PARTS):
            return True
    return any(h in MEDIA_HOSTS for h in doc.hosts)


def _is_repost(doc: Doc) -> bool:
    """enrichments["repost"], a raw marker (repost, is_repost, reblog, retweeted_status), or "RT @"."""
    post = doc.post
    if (post.enrichments or {}).get("repost"):
        return True
    raw = post.raw
    if isinstance(raw, dict) and any(raw.get(k) for k in REPOST_RAW_KEYS):
        return True
    return (post.text or "").lstrip().startswith("RT @")


# -- one query ---------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A term occurrence, for highlighting: ``part`` is "title" or "text"."""

    term: str
    part: str
    start: int
    end: int


@dataclass(frozen=True)
class Explanation:
    matched: bool
    hits: list[Hit] = field(default_factory=list)
    reason: str | None = None  # for a miss: the clause that failed


class CompiledQuery:
    def __init__(self, node: Node) -> None:
        self.node = node
        self._check = compile_check(node)

    def matches(self, post: Post) -> bool:
        return self._check(Doc(post), None)

    def matches_doc(self, doc: Doc) -> bool:
        return self._check(doc, None)

    def explain(self, post: Post) -> Explanation:
        doc = Doc(post)
        matched = self._check(doc, None)
        hits = _hits(self.node, doc)
        reason = None if matched else _why_not(self.node, doc, None)
        return Explanation(matched, hits, reason)


def compile_query(node: Node) -> CompiledQuery:
    return CompiledQuery(node)


def _positive_terms(node: Node, scope: int | None = None) -> Iterable[tuple[Term, int | None]]:
    if isinstance(node, Term):
        yield node, scope
    elif isinstance(node, Phrase):
        for t in node.terms:
            yield t, scope
    elif isinstance(node, And | Or):
        for c in node.children:
            yield from _positive_terms(c, scope)
    elif isinstance(node, Near):
        yield from _positive_terms(node.left, scope)
        yield from _positive_terms(node.right, scope)
    elif isinstance(node, Scope):
        yield from _positive_terms(node.child, PARTS.index(node.part))


def _hits(node: Node, doc: Doc) -> list[Hit]:
    hits: set[Hit] = set()
    for term, scope in _positive_terms(node):
        where = _term_positions(term)
        for s in _scopes(scope):
            part = doc.parts[s]
            found = set(where(part))
            for tok in part.tokens:
                if tok.position in found and _token_is(term, tok):
                    hits.add(Hit(to_text(term), PARTS[s], tok.start, tok.end))
    return sorted(hits, key=lambda h: (h.part != "title", h.start, h.end))


def _token_is(term: Term, tok: Token) -> bool:
    key = tok.cased if term.case_sensitive else tok.key
    return bool(term.pattern.fullmatch(key)) if term.wildcard else key == term.key


def _why_not(node: Node, doc: Doc, scope: int | None) -> str:
    where = f" in the {PARTS[scope]}" if scope is not None else ""
    if isinstance(node, And):
        for child in node.children:
            if not compile_check(child)(doc, scope):
                return _why_not(child, doc, scope)
    if isinstance(node, Or):
        return f"none of the alternatives matched{where}: {to_text(node)}"
    if isinstance(node, Not):
        return f"excluded {to_text(node.child)} matched{where}"
    if isinstance(node, Scope):
        return _why_not(node.child, doc, PARTS.index(node.part))
    if isinstance(node, Filter):
        return f"filter {to_text(node)} did not match"
    if isinstance(node, Near):
        return f"{to_text(node)} did not match{where}"
    return f"required {to_text(node)} not found{where}"


# -- many queries -------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    """Keys of which a matching post must contain at least one (exact keys or key prefixes)."""

    keys: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()

    def score(self) -> tuple[int, int]:
        # fewer alternatives, then longer keys (rarer) is better
        shortest = min((len(k) for k in self.keys | self.prefixes), default=0)
        return (len(self.keys) + 2 * len(self.prefixes), -shortest)


def required(node: Node) -> Required | None:
    """What a post must contain for ``node`` to match, or None if nothing textual is required."""
    if isinstance(node, Term):
        return (
            Required(prefixes=frozenset([node.stem]))
            if node.wildcard
            else Required(frozenset([node.stem]))
        )
    if isinstance(node, Phrase):
        return _best(required(t) for t in node.terms)
    if isinstance(node, And):
        return _best(required(c) for c in node.children)
    if isinstance(node, Near):
        return _best([required(node.left), required(node.right)])
    if isinstance(node, Scope):
        return required(node.child)
    if isinstance(node, Or):
        keys: set[str] = set()
        prefixes: set[str] = set()
        for child in node.children:
            r = required(child)
            if r is None:
                return None
            keys |= r.keys
            prefixes |= r.prefixes
        return Required(frozenset(keys), frozenset(prefixes))
    return None  # NOT, filters


def _best(options: Iterable[Required | None]) -> Required | None:
    found = [r for r in options if r is not None]
    return min(found, key=Required.score) if found else None


PREFIX_BUCKET = 3  # wildcard stems are bucketed by their first 3 chars (the minimum stem)


class QueryIndex:
    """Many compiled queries; ``match`` evaluates only those a post could match.

    Each query is filed under the keys it cannot match without (``required``):
    exact keys in one dict, wildcard stems in buckets by their first 3 chars.
    A post's keys are intersected with the exact dict (in C), and each key
    looks up one bucket; queries with nothing required are always evaluated.
    """

    def __init__(self) -> None:
        self._queries: dict[Hashable, tuple[int, CompiledQuery, Required | None]] = {}
        self._by_key: dict[str, set[Hashable]] = {}
        self._by_prefix: dict[str, dict[str, set[Hashable]]] = {}  # stem[:3] -> stem -> ids
        self._always: set[Hashable] = set()
        self._seq = 0

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, query_id: object) -> bool:
        return query_id in self._queries

    def add(self, query_id: Hashable, node: Node) -> None:
        """Add or replace a query."""
        if query_id in self._queries:
            self.remove(query_id)
        req = required(node)
        if req is not None and any(len(p) < PREFIX_BUCKET for p in req.prefixes):
            req = None
        self._seq += 1
        self._queries[query_id] = (self._seq, CompiledQuery(node), req)
        if req is None:
            self._always.add(query_id)
            return
        for key in req.keys:
            self._by_key.setdefault(key, set()).add(query_id)
        for stem in req.prefixes:
            bucket = self._by_prefix.setdefault(stem[:PREFIX_BUCKET], {})
            bucket.setdefault(stem, set()).add(query_id)

    def remove(self, query_id: Hashable) -> None:
        entry = self._queries.pop(query_id, None)
        if entry is None:
            return
        req = entry[2]
        if req is None:
            self._always.discard(query_id)
            return
        for key in req.keys:
            _discard(self._by_key, key, query_id)
        for stem in req.prefixes:
            bucket = self._by_prefix.get(stem[:PREFIX_BUCKET])
            if bucket is not None:
                _discard(bucket, stem, query_id)
                if not bucket:
                    del self._by_prefix[stem[:PREFIX_BUCKET]]

    def candidates(self, doc: Doc) -> set[Hashable]:
        found = set(self._always)
        by_key = self._by_key
        for key in doc.keys & by_key.keys():
            found |= by_key[key]
        by_prefix = self._by_prefix
        if by_prefix:
            for key in doc.keys:
                bucket = by_prefix.get(key[:PREFIX_BUCKET])
                if bucket:
                    for stem, queries in bucket.items():
                        if key.startswith(stem):
                            found |= queries
        return found

    def match(self, post: Post) -> list[Hashable]:
        """Ids of the queries matching ``post``, in the order they were added."""
        return self.match_doc(Doc(post))

    def match_doc(self, doc: Doc) -> list[Hashable]:
        queries = self._queries
        hits = []
        for qid in self.candidates(doc):
            seq, compiled, _ = queries[qid]
            if compiled.matches_doc(doc):
                hits.append((seq, qid))
        hits.sort(key=lambda h: h[0])
        return [qid for _, qid in hits]


def _discard(table: dict[str, set[Hashable]], key: str, query_id: Hashable) -> None:
    queries = table.get(key)
    if queries is not None:
        queries.discard(query_id)
        if not queries:
            del table[key]
