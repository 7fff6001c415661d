"""Searching stored posts with a query: full-text candidates, exact confirmation.

``to_fts5`` / ``to_tsquery`` turn a query into a full-text expression over
``posts.search_text`` (see ``tokenize.index_text``) whose results are a
SUPERSET of the exact matches: phrases and NEAR become AND of their words,
NOT branches and field filters are dropped (they can only narrow), wildcards
become prefix searches on their stem, and a run of no-space-script characters
(CJK, Thai) becomes its bigrams. The exact matcher then confirms each row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, or_, select, text

from hubbub.listening.ast import And, Filter, Near, Node, Not, Or, Phrase, Scope, Term
from hubbub.listening.matcher import compile_query
from hubbub.listening.tokenize import is_nospace_key
from hubbub.store.posts import row_to_post as post_from_row
from hubbub.store.tables import enrichments, posts

CHUNK = 500


# -- candidate expressions -----------------------------------------------------
# A small neutral form first: ("tok", key) | ("prefix", stem) | ("and"|"or", [..]).

Expr = tuple[str, Any]


def _candidates(node: Node) -> Expr | None:
    """A superset expression for ``node``, or None when it cannot be narrowed by text."""
    if isinstance(node, Term):
        return ("prefix", node.stem) if node.wildcard else ("tok", node.stem)
    if isinstance(node, Phrase):
        return _all(_phrase_parts(node.terms))
    if isinstance(node, And):
        return _all(_candidates(c) for c in node.children)
    if isinstance(node, Near):
        return _all([_candidates(node.left), _candidates(node.right)])
    if isinstance(node, Scope):
        return _candidates(node.child)  # title tokens are in search_text too
    if isinstance(node, Or):
        alternatives = [_candidates(c) for c in node.children]
        if any(a is None for a in alternatives):
            return None
        return ("or", alternatives)
    return None  # NOT and filters: cannot be pushed down safely


def _phrase_parts(terms: Sequence[Term]) -> list[Expr | None]:
    parts: list[Expr | None] = []
    keys = [None if t.wildcard else t.stem for t in terms]
    for i, term in enumerate(terms):
        key = keys[i]
        if key is not None and is_nospace_key(key):
            nxt = keys[i + 1] if i + 1 < len(terms) else None
            prev = keys[i - 1] if i > 0 else None
            if nxt is not None and is_nospace_key(nxt):
                parts.append(("tok", key + nxt))  # index_text stores adjacent bigrams
                continue
            if prev is not None and is_nospace_key(prev):
                continue  # covered by the previous bigram
        parts.append(_candidates(term))
    return parts


def _all(parts: Any) -> Expr | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else ("and", kept)


def _render(expr: Expr, quote: Any, prefix: Any, and_op: str, or_op: str) -> str:
    kind, value = expr
    if kind == "tok":
        return str(quote(value))
    if kind == "prefix":
        return str(prefix(value))
    op = and_op if kind == "and" else or_op
    return "(" + op.join(_render(e, quote, prefix, and_op, or_op) for e in value) + ")"


def _fts5_quote(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def _ts_quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "''") + "'"


def to_fts5(node: Node) -> str | None:
    """An FTS5 MATCH expression over ``posts_fts``; None means scan instead."""
    expr = _candidates(node)
    if expr is None:
        return None
    return _render(expr, _fts5_quote, lambda s: _fts5_quote(s) + "*", " AND ", " OR ")


def to_tsquery(node: Node) -> str | None:
    """Text for ``CAST(:q AS tsquery)`` matching ``posts.search_tsv``; None means scan."""
    expr = _candidates(node)
    if expr is None:
        return None
    return _render(expr, _ts_quote, lambda s: _ts_quote(s) + ":*", " & ", " | ")


# -- searching -------------------------------------------------------------------


def _uses_stored_enrichments(node: Node) -> bool:
    # sentiment comes from the posts row; intent / media / repost need the enrichments table
    if isinstance(node, Filter):
        return node.name in ("intent", "has", "is")
    if isinstance(node, And | Or):
        return any(_uses_stored_enrichments(c) for c in node.children)
    if isinstance(node, Not | Scope):
        return _uses_stored_enrichments(node.child)
    if isinstance(node, Near):
        return _uses_stored_enrichments(node.left) or _uses_stored_enrichments(node.right)
    return False


def search(
    conn: Connection, node: Node, *, limit: int = 50, before_id: int | None = None
) -> list[int]:
    """Ids of the newest posts matching ``node`` (created_at DESC, id DESC).

    ``before_id`` continues a listing: only posts that sort after that post.
    """
    if limit <= 0:
        return []
    matcher = compile_query(node)
    columns = [c for c in posts.c if c.name != "search_tsv"]
    base = select(*columns)
    if conn.dialect.name == "sqlite":
        fts = to_fts5(node)
        if fts is not None:
            base = base.where(
                posts.c.id.in_(text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :fts_q"))
            ).params(fts_q=fts)
    else:
        tsq = to_tsquery(node)
        if tsq is not None:
            base = base.where(text("posts.search_tsv @@ CAST(:ts_q AS tsquery)")).params(ts_q=tsq)

    cursor: tuple[Any, int] | None = None
    if before_id is not None:
        created = conn.execute(select(posts.c.created_at).where(posts.c.id == before_id)).scalar()
        if created is None:
            return []
        cursor = (created, before_id)

    need_enrichments = _uses_stored_enrichments(node)
    found: list[int] = []
    while len(found) < limit:
        stmt = base
        if cursor is not None:
            created, last_id = cursor
            stmt = stmt.where(
                or_(
                    posts.c.created_at < created,
                    and_(posts.c.created_at == created, posts.c.id < last_id),
                )
            )
        rows = conn.execute(
            stmt.order_by(posts.c.created_at.desc(), posts.c.id.desc()).limit(CHUNK)
        ).all()
        if not rows:
            break
        extra = _load_enrichments(conn, [r.id for r in rows]) if need_enrichments else {}
        for row in rows:
            if matcher.matches(post_from_row(row, extra.get(row.id))):
                found.append(row.id)
                if len(found) >= limit:
                    break
        if len(rows) < CHUNK:
            break
        cursor = (rows[-1].created_at, rows[-1].id)
    return found


def _load_enrichments(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for e in conn.execute(select(enrichments).where(enrichments.c.post_id.in_(ids))):
        out.setdefault(e.post_id, {})[e.enricher] = e.data
    return out
