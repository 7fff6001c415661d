"""Why a post did or did not match a query, and which words made it match.

Both walk the parsed query over the matcher's own ``Doc`` with the matcher's
compiled checks and spans (the same tokens and positions the stream uses),
so a highlight or a ✓ here is exactly what the matcher decided.

Highlights only cover words that made a clause true: the words of a NOT
clause, of an alternative that did not match, or of a NEAR side outside any
close-enough pair are not marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hubbub.listening.ast import And, Filter, Near, Node, Not, Or, Phrase, Scope, Term, to_text
from hubbub.listening.matcher import PARTS, Doc, Hit, Span, compile_check, compile_spans
from hubbub.listening.tokenize import Token
from hubbub.post import Post

# (part index, word position, the query term found there)
Found = set[tuple[int, int, Term]]


def _scopes(scope: int | None) -> tuple[int, ...]:
    return (0, 1) if scope is None else (scope,)


# -- highlights ----------------------------------------------------------------


def matched_hits(node: Node, post: Post | Doc) -> list[Hit]:
    """Char spans (per part) of the words that made ``node`` match ``post``;
    empty when it does not match. Sorted: title first, then by offset."""
    doc = post if isinstance(post, Doc) else Doc(post)
    if not compile_check(node)(doc, None):
        return []
    hits: set[Hit] = set()
    for part, position, term in _found(node, doc, None):
        for tok in _tokens_at(doc, part, position):
            if _token_is(term, tok):
                hits.add(Hit(to_text(term), PARTS[part], tok.start, tok.end))
    return sorted(hits, key=lambda h: (h.part != "title", h.start, h.end))


def _tokens_at(doc: Doc, part: int, position: int) -> Iterable[Token]:
    return (t for t in doc.parts[part].tokens if t.position == position)


def _token_is(term: Term, tok: Token) -> bool:
    key = tok.cased if term.case_sensitive else tok.key
    return bool(term.pattern.fullmatch(key)) if term.wildcard else key == term.key


def _found(node: Node, doc: Doc, scope: int | None, in_near: bool = False) -> Found:
    """Where the terms that made ``node`` true sit (empty if it is false)."""
    if isinstance(node, Term):
        spans = compile_spans(node)
        return {(s, a, node) for s in _scopes(scope) for a, _ in spans(doc, s)}
    if isinstance(node, Phrase):
        spans = compile_spans(node)
        return {
            (s, a + i, t)
            for s in _scopes(scope)
            for a, _ in spans(doc, s)
            for i, t in enumerate(node.terms)
        }
    if isinstance(node, Near):
        return _near_found(node, doc, scope)
    if isinstance(node, And):
        check = compile_check(node)
        # inside NEAR a group must hold anywhere in the post (as compile_spans has it)
        if not (check(doc, scope) or (in_near and check(doc, None))):
            return set()
        out: Found = set()
        for child in node.children:
            if not isinstance(child, Not | Filter):
                out |= _found(child, doc, scope, in_near)
        return out
    if isinstance(node, Or):
        out = set()
        for child in node.children:
            if compile_check(child)(doc, scope) or in_near:
                out |= _found(child, doc, scope, in_near)
        return out
    if isinstance(node, Scope):
        only = PARTS.index(node.part)
        if scope is not None and scope != only:
            return set()
        return _found(node.child, doc, only, in_near)
    return set()  # NOT and filters have no words to mark


def _near_found(node: Near, doc: Doc, scope: int | None) -> Found:
    left_spans, right_spans = compile_spans(node.left), compile_spans(node.right)
    out: Found = set()
    for s in _scopes(scope):
        left_found = _found(node.left, doc, s, in_near=True)
        right_found = _found(node.right, doc, s, in_near=True)
        for a in left_spans(doc, s):
            for b in right_spans(doc, s):
                if _close(a, b, node.distance, node.ordered):
                    out |= {f for f in left_found if a[0] <= f[1] <= a[1]}
                    out |= {f for f in right_found if b[0] <= f[1] <= b[1]}
    return out


def _close(a: Span, b: Span, gap: int, ordered: bool) -> bool:
    """The matcher's NEAR rule: at most ``gap`` words between the two spans."""
    return (a[1] < b[0] and b[0] - a[1] - 1 <= gap) or (
        not ordered and b[1] < a[0] and a[0] - b[1] - 1 <= gap
    )


# -- the explanation tree --------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One clause of the query, whether it held for the post, and why."""

    text: str  # the clause written as query text
    kind: str  # all, any, not, term, phrase, near, filter, scope
    matched: bool
    detail: str
    children: tuple[Clause, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "matched": self.matched,
            "detail": self.detail,
            "children": [c.to_dict() for c in self.children],
        }


def explain(post: Post | Doc, node: Node) -> Clause:
    """The query as a tree of clauses, each marked true/false for ``post``."""
    doc = post if isinstance(post, Doc) else Doc(post)
    return _clause(node, doc, None)


def _where(scope: int | None) -> str:
    return "the post" if scope is None else f"the {PARTS[scope]}"


def _clause(node: Node, doc: Doc, scope: int | None) -> Clause:
    matched = compile_check(node)(doc, scope)
    text = to_text(node)
    if isinstance(node, And | Or):
        children = tuple(_clause(c, doc, scope) for c in node.children)
        held = sum(c.matched for c in children)
        kind, need = ("all", "all") if isinstance(node, And) else ("any", "at least one")
        detail = f"{held} of {len(children)} hold; {need} must"
        return Clause(text, kind, matched, detail, children)
    if isinstance(node, Not):
        child = _clause(node.child, doc, scope)
        detail = "the excluded clause is absent" if matched else "the excluded clause is present"
        return Clause(text, "not", matched, detail, (child,))
    if isinstance(node, Scope):
        only = PARTS.index(node.part)
        child = _clause(node.child, doc, only)
        return Clause(text, "scope", matched, f"looked for only in the {node.part}", (child,))
    if isinstance(node, Filter):
        return Clause(text, "filter", matched, _filter_detail(node, doc))
    if isinstance(node, Near):
        children = (_clause(node.left, doc, scope), _clause(node.right, doc, scope))
        return Clause(text, "near", matched, _near_detail(node, doc, scope, children), children)
    spans = compile_spans(node)
    counts = {PARTS[s]: len(spans(doc, s)) for s in _scopes(scope)}
    kind = "term" if isinstance(node, Term) else "phrase"
    if matched:
        detail = "found " + ", ".join(f"{n}× in the {part}" for part, n in counts.items() if n)
    elif isinstance(node, Phrase) and all(compile_check(t)(doc, scope) for t in node.terms):
        detail = f"its words are in {_where(scope)} but never together in this order"
    else:
        detail = f"not in {_where(scope)}"
    return Clause(text, kind, matched, detail)


def _near_detail(node: Near, doc: Doc, scope: int | None, sides: tuple[Clause, Clause]) -> str:
    if node.distance == 0:
        limit = "next to each other"
    else:
        limit = f"within {node.distance} word{'s' if node.distance != 1 else ''}"
    order = ", in this order" if node.ordered else ""
    if not all(side.matched for side in sides):
        missing = " and ".join(side.text for side in sides if not side.matched)
        return f"{missing} not in {_where(scope)}"
    close, gaps = False, []
    for a, b in _pairs(node, doc, scope):
        close = close or _close(a, b, node.distance, node.ordered)
        if a[1] < b[0]:
            gaps.append(b[0] - a[1] - 1)
        elif b[1] < a[0] and not node.ordered:
            gaps.append(a[0] - b[1] - 1)
    if close:
        return f"both found {limit}{order}"
    closest = f" (closest: {min(gaps)} words apart)" if gaps else ""
    return f"both sides are present but never {limit}{order}{closest}"


def _pairs(node: Near, doc: Doc, scope: int | None) -> Iterable[tuple[Span, Span]]:
    left, right = compile_spans(node.left), compile_spans(node.right)
    for s in _scopes(scope):
        for a in left(doc, s):
            for b in right(doc, s):
                yield a, b


def _filter_detail(f: Filter, doc: Doc) -> str:
    post = doc.post
    name = f.name
    if name == "lang":
        return f"the post's language is {_shown(post.language)}"
    if name == "platform":
        return f"the post's platform is {_shown(post.platform)}"
    if name == "author":
        return f"the post's author is {_shown(post.author_handle)}"
    if name == "followers":
        return f"the author has {_shown(post.author_followers)} followers"
    if name in ("site", "url"):
        urls = doc.urls
        return "the post's links: " + ", ".join(urls[:5]) if urls else "the post has no links"
    if name == "sentiment":
        sentiment = (post.enrichments or {}).get("sentiment")
        label = sentiment.get("label") if isinstance(sentiment, dict) else sentiment
        return f"the post's sentiment is {_shown(label)}"
    if name == "intent":
        found = (post.enrichments or {}).get("intent")
        intents = (post.enrichments or {}).get("intents")  # the intent enricher's result
        if found is None and isinstance(intents, dict):
            found = intents.get("labels")
        return f"the post's intent is {_shown(found)}"
    if name == "is" and f.value == "reply":
        return f"a reply to {post.reply_to}" if post.reply_to else "not a reply"
    return "checked on the post's links, text and enrichments"  # has:..., is:repost


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "unknown"
    return repr(value) if isinstance(value, str) else str(value)


def render_lines(clause: Clause, indent: int = 0) -> list[tuple[int, Clause]]:
    """The tree flattened depth-first as (depth, clause), for printing."""
    out = [(indent, clause)]
    for child in clause.children:
        out.extend(render_lines(child, indent + 1))
    return out
