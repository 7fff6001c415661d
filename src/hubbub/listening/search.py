"""Searching stored posts with a query: full-text candidates, exact confirmation.

``to_fts5`` / ``to_tsquery`` turn a query into a full-text expression over
``posts.search_text`` (see ``tokenize.index_text``) whose results are a
SUPERSET of the exact matches: phrases and NEAR become AND of their words,
filters are dropped (they can only narrow), wildcards become prefix searches on
their stem, a run of no-space-script characters (CJK, Thai) becomes its
bigrams. A NOT is pushed down only when its operand is *exact* (the index
answers it exactly: plain terms, ``word*`` prefixes, and AND/OR of them), so
excluding never loses a match. The exact matcher then confirms each row, unless
the whole expression is exact: then the candidates are the results.

Order: newest first by (created_at, id). On SQLite, FTS5 hands candidates out
lazily by rowid, so a query with many candidates walks them newest-id first
and stops soon after ``limit`` matches; posts whose created_at is newer than
their id suggests (backfilled, clock skew) are then looked up by created_at,
so the order is exact. A few candidates are all read and sorted. PostgreSQL,
and queries with nothing textual, walk posts by (created_at, id) directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, and_, bindparam, or_, select, text, type_coerce
from sqlalchemy.sql import ColumnElement, Select

from hubbub.listening.ast import And, Filter, Near, Node, Not, Or, Phrase, Scope, Term
from hubbub.listening.matcher import CompiledQuery, compile_query
from hubbub.listening.tokenize import has_nospace, is_nospace_key
from hubbub.store.posts import POST_COLUMNS, stored_token
from hubbub.store.posts import row_to_post as post_from_row
from hubbub.store.tables import enrichments, posts

FIRST_CHUNK = 64  # rows confirmed in the first round; later rounds double
MAX_CHUNK = 4_000
FEW_CANDIDATES = 600  # at most this many: look all up and sort by created_at


# -- candidate expressions -----------------------------------------------------
# A small neutral form first: ("tok", key) | ("prefix", stem) | ("or", [..])
# | ("and", ([positive..], [negated..])). Each comes with "exact": whether the
# index alone decides the node (then it may be negated safely).

Expr = tuple[str, Any]


def _candidates(node: Node, negate: bool = True) -> tuple[Expr | None, bool]:
    """A superset expression for ``node`` (None: it cannot be narrowed by text), and exactness.

    ``negate`` is False inside title:/text: and NEAR, where a NOT means "not in
    this part" or belongs to a group of positions: the index cannot tell.
    """
    if isinstance(node, Term):
        key = stored_token(node.stem)  # the index holds over-long keys cut short
        if not node.wildcard:
            return ("tok", key), not node.case_sensitive and key == node.stem
        plain_prefix = node.key == node.stem + "*" and not has_nospace(node.stem)
        return ("prefix", key), plain_prefix and not node.case_sensitive and key == node.stem
    if isinstance(node, Phrase):
        return _all(_phrase_parts(node.terms), []), False
    if isinstance(node, Near):
        sides = [_candidates(node.left, False)[0], _candidates(node.right, False)[0]]
        return _all(sides, []), False
    if isinstance(node, Scope):
        return _candidates(node.child, False)[0], False  # title tokens are in search_text too
    if isinstance(node, And):
        positive: list[Expr | None] = []
        negated: list[Expr] = []
        exact = True
        for child in node.children:
            if isinstance(child, Not):
                inner, inner_exact = _candidates(child.child, negate)
                if negate and inner is not None and inner_exact:
                    negated.append(inner)
                else:
                    exact = False
                continue
            expr, child_exact = _candidates(child, negate)
            positive.append(expr)
            exact = exact and child_exact and expr is not None
        expr = _all(positive, negated)
        return expr, exact and expr is not None
    if isinstance(node, Or):
        found = [_candidates(c, negate) for c in node.children]
        if any(e is None for e, _ in found):
            return None, False
        # `acme OR "acme cloud"`: every post the phrase can match has the exact
        # sibling `acme`, so the OR is just `acme` (exact, no confirming needed).
        exact_exprs = [e for e, x in found if x]
        kept = [(e, x) for e, x in found if x or not any(_implies(e, a) for a in exact_exprs)]
        exprs: list[Expr] = []
        for e, _ in kept:
            if e is not None and e not in exprs:
                exprs.append(e)
        expr = exprs[0] if len(exprs) == 1 else ("or", exprs)
        return expr, all(x for _, x in kept)
    return None, False  # a lone NOT (only inside a group) and filters


def _implies(expr: Expr | None, other: Expr | None) -> bool:
    """Whether every post matching ``expr`` also matches the term or prefix ``other``."""
    if expr is None or other is None:
        return False
    if expr == other:
        return True
    kind, value = expr
    if other[0] == "prefix" and kind in ("tok", "prefix"):
        return bool(value.startswith(other[1]))
    if kind == "and":
        return any(_implies(part, other) for part in value[0])
    return False


def _phrase_parts(terms: Sequence[Term]) -> list[Expr | None]:
    parts: list[Expr | None] = []
    keys = [None if t.wildcard else t.stem for t in terms]
    for i, term in enumerate(terms):
        key = keys[i]
        if key is not None and is_nospace_key(key):
            nxt = keys[i + 1] if i + 1 < len(terms) else None
            prev = keys[i - 1] if i > 0 else None
            if nxt is not None and is_nospace_key(nxt):
                parts.append(("tok", stored_token(key + nxt)))  # index_text stores bigrams
                continue
            if prev is not None and is_nospace_key(prev):
                continue  # covered by the previous bigram
        parts.append(_candidates(term)[0])
    return parts


def _all(parts: Sequence[Expr | None], negated: list[Expr]) -> Expr | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None  # a NOT needs something to subtract from (FTS5 has no bare NOT)
    if len(kept) == 1 and not negated:
        return kept[0]
    return ("and", (kept, negated))


@dataclass(frozen=True)
class _Syntax:
    quote: Any
    prefix: Any
    and_op: str
    or_op: str
    negate: Any  # (positive text, negated text) -> text


def _render(expr: Expr, syntax: _Syntax) -> str:
    kind, value = expr
    if kind == "tok":
        return str(syntax.quote(value))
    if kind == "prefix":
        return str(syntax.prefix(value))
    if kind == "or":
        return "(" + syntax.or_op.join(_render(e, syntax) for e in value) + ")"
    kept, negated = value
    out = "(" + syntax.and_op.join(_render(e, syntax) for e in kept) + ")"
    if len(kept) == 1:
        out = out[1:-1]
    for n in negated:
        out = str(syntax.negate(out, _render(n, syntax)))
    return out


def _fts5_quote(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def _ts_quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "''") + "'"


FTS5 = _Syntax(
    _fts5_quote,
    lambda s: _fts5_quote(s) + "*",
    " AND ",
    " OR ",
    lambda pos, neg: f"({pos} NOT {neg})",
)
TSQUERY = _Syntax(
    _ts_quote,
    lambda s: _ts_quote(s) + ":*",
    " & ",
    " | ",
    lambda pos, neg: f"({pos} & !{neg})",
)


def to_fts5(node: Node) -> str | None:
    """An FTS5 MATCH expression over ``posts_fts``; None means scan instead."""
    expr = _candidates(node)[0]
    return None if expr is None else _render(expr, FTS5)


def to_tsquery(node: Node) -> str | None:
    """Text for ``CAST(:q AS tsquery)`` matching ``posts.search_tsv``; None means scan."""
    expr = _candidates(node)[0]
    return None if expr is None else _render(expr, TSQUERY)


# -- searching -------------------------------------------------------------------

Key = tuple[Any, int]  # (created_at, id): the listing order, newest first


def sort_time(conn: Connection) -> ColumnElement[Any]:
    """posts.created_at as the listing compares it. On SQLite that is the stored
    text (fixed-width ISO, so it sorts like the time): parsing thousands of
    candidates' datetimes costs more than the search itself."""
    if conn.dialect.name == "sqlite":
        return type_coerce(posts.c.created_at, String)
    return posts.c.created_at


def uses_stored_enrichments(node: Node) -> bool:
    # sentiment comes from the posts row; intent / media / repost need the enrichments table
    if isinstance(node, Filter):
        return node.name in ("intent", "has", "is")
    if isinstance(node, And | Or):
        return any(uses_stored_enrichments(c) for c in node.children)
    if isinstance(node, Not | Scope):
        return uses_stored_enrichments(node.child)
    if isinstance(node, Near):
        return uses_stored_enrichments(node.left) or uses_stored_enrichments(node.right)
    return False


class _Confirm:
    """Decides candidates in a given order: by the exact matcher, or by the index
    alone when its expression is exact; skips posts that do not sort after a cursor."""

    def __init__(self, conn: Connection, node: Node, cursor: Key | None, exact: bool) -> None:
        self.conn = conn
        self.when = sort_time(conn)
        self.matcher: CompiledQuery = compile_query(node)
        self.need_enrichments = uses_stored_enrichments(node)
        self.cursor = cursor
        self.exact = exact

    def keys(
        self, keys: Sequence[Key], want: int, *, by_matcher: bool = False
    ) -> tuple[list[Key], int]:
        """Matches among ``keys`` in their order, stopping at ``want``; and how many
        were decided. ``by_matcher``: not all of them are index candidates."""
        if self.exact and not by_matcher:
            return self._decide(keys, want, None, len(keys))
        rows = self.conn.execute(
            select(*POST_COLUMNS).where(posts.c.id.in_(bindparam("ids", expanding=True))),
            {"ids": [post_id for _, post_id in keys]},
        ).all()
        by_id = {r.id: r for r in rows}
        return self._decide(keys, want, [by_id.get(i) for _, i in keys], len(keys))

    def rows(self, rows: Sequence[Any], want: int) -> list[Key]:
        """Matches among rows (full rows unless the index is exact), in their order."""
        keys = [(r.sort_at, r.id) for r in rows]
        return self._decide(keys, want, None if self.exact else rows, len(rows))[0]

    def _decide(
        self, keys: Sequence[Key], want: int, rows: Sequence[Any] | None, total: int
    ) -> tuple[list[Key], int]:
        """``rows`` parallel to ``keys`` (None: decided by the index; a None row: deleted)."""
        extra = {}
        if rows is not None and self.need_enrichments:
            extra = load_enrichments(self.conn, [r.id for r in rows if r is not None])
        cursor, matches = self.cursor, self.matcher.matches
        found: list[Key] = []
        for seen, key in enumerate(keys):
            if cursor is not None and key >= cursor:
                continue
            row = None if rows is None else rows[seen]
            if rows is None or (row is not None and matches(post_from_row(row, extra.get(key[1])))):
                found.append(key)
                if len(found) >= want:
                    return found, seen + 1
        return found, total


def search(
    conn: Connection, node: Node, *, limit: int = 50, before_id: int | None = None
) -> list[int]:
    """Ids of the newest posts matching ``node`` (created_at DESC, id DESC).

    ``before_id`` continues a listing: only posts that sort after that post.
    """
    if limit <= 0:
        return []
    cursor: Key | None = None
    if before_id is not None:
        created = conn.execute(select(sort_time(conn)).where(posts.c.id == before_id)).scalar()
        if created is None:
            return []
        cursor = (created, before_id)
    expr, exact = _candidates(node)
    confirm = _Confirm(conn, node, cursor, exact and expr is not None)
    when = confirm.when.label("sort_at")
    if expr is None:
        return _walk_by_time(select(*POST_COLUMNS, when), confirm, limit)
    if conn.dialect.name == "sqlite":
        return _search_fts5(conn, _render(expr, FTS5), confirm, limit)
    columns = [when, posts.c.id] if confirm.exact else [*POST_COLUMNS, when]
    base = select(*columns).where(text("posts.search_tsv @@ CAST(:ts_q AS tsquery)"))
    return _walk_by_time(base.params(ts_q=_render(expr, TSQUERY)), confirm, limit)


def _walk_by_time(base: Select[Any], confirm: _Confirm, limit: int) -> list[int]:
    """Rows newest first by (created_at, id), in growing chunks, until ``limit`` confirm."""
    found: list[Key] = []
    position = confirm.cursor
    chunk = limit if confirm.exact else max(FIRST_CHUNK, limit * 2)
    while len(found) < limit:
        stmt = base
        if position is not None:
            created, last_id = position
            stmt = stmt.where(
                or_(
                    confirm.when < created,
                    and_(confirm.when == created, posts.c.id < last_id),
                )
            )
        rows = confirm.conn.execute(
            stmt.order_by(posts.c.created_at.desc(), posts.c.id.desc()).limit(chunk)
        ).all()
        found += confirm.rows(rows, limit - len(found))
        if len(rows) < chunk:
            break
        position = (rows[-1].sort_at, rows[-1].id)
        chunk = min(chunk * 2, MAX_CHUNK)
    return [post_id for _, post_id in found[:limit]]


# FTS5 hands out rowids in order, lazily: ORDER BY rowid DESC LIMIT n stops early.
_FTS_IDS = text(
    "SELECT rowid FROM posts_fts WHERE posts_fts MATCH :q AND rowid < :below "
    "ORDER BY rowid DESC LIMIT :n"
)


def _fts_keys(conn: Connection, fts: str, below: int, n: int) -> list[Key]:
    """The next ``n`` candidates below id ``below``, newest id first, as keys."""
    return _keys(conn, list(conn.execute(_FTS_IDS, {"q": fts, "below": below, "n": n}).scalars()))


def _keys(conn: Connection, ids: list[int]) -> list[Key]:
    """(sort time, id) of ``ids``, in their order."""
    if not ids:
        return []
    created = dict(
        conn.execute(
            select(posts.c.id, sort_time(conn)).where(
                posts.c.id.in_(bindparam("ids", expanding=True))
            ),
            {"ids": ids},
        ).all()
    )
    return [(created[i], i) for i in ids if i in created]


def _search_fts5(conn: Connection, fts: str, confirm: _Confirm, limit: int) -> list[int]:
    top = 2**63 - 1
    probe = conn.execute(_FTS_IDS, {"q": fts, "below": top, "n": FEW_CANDIDATES + 1})
    ids = list(probe.scalars())
    if len(ids) <= FEW_CANDIDATES:
        return _newest_of_few(_keys(conn, ids), confirm, limit)
    # Many candidates: walk them by id, a little past ``limit`` matches so a
    # few backfilled (old) posts among them do not drag the limit-th created_at back.
    found: list[Key] = []
    need = limit + limit // 2 + 8
    chunk = need if confirm.exact else max(FIRST_CHUNK, need * 2)
    pending = _keys(conn, ids[:chunk])
    below = ids[min(chunk, len(ids)) - 1]
    while True:
        if pending:  # (empty if those posts were deleted meanwhile)
            got, decided = confirm.keys(pending, need - len(found))
            found += got
            below = pending[decided - 1][1]
            pending = pending[decided:]
        if len(found) >= need:
            found.sort(reverse=True)
            cap = None if need > MAX_CHUNK else 4 * need
            late = _late_keys(conn, found[limit - 1][0], below, cap)
            if late is not None:
                break
            need *= 2  # many posts out of id order just there: walk further first
        if not pending:
            chunk = min(chunk * 2, MAX_CHUNK)
            pending = _fts_keys(conn, fts, below, chunk)
            if not pending:
                return [post_id for _, post_id in sorted(found, reverse=True)[:limit]]
    if late:
        found = sorted(found + confirm.keys(late, limit, by_matcher=True)[0], reverse=True)
    return [post_id for _, post_id in found[:limit]]


def _late_keys(conn: Connection, newest: Any, below: int, cap: int | None) -> list[Key] | None:
    """Posts below the walk that are as new as ``newest`` (on a created_at tie a
    smaller id sorts after, so >= is enough): backfilled posts, clock skew.
    None if there are more than ``cap``."""
    when = sort_time(conn)
    stmt = (
        select(when, posts.c.id)
        .where(when >= newest, posts.c.id < below)
        .order_by(posts.c.created_at.desc(), posts.c.id.desc())
    )
    rows = conn.execute(stmt if cap is None else stmt.limit(cap + 1)).all()
    if cap is not None and len(rows) > cap:
        return None
    return [(r[0], r.id) for r in rows]


def _newest_of_few(keys: list[Key], confirm: _Confirm, limit: int) -> list[int]:
    """All candidates are known: order them by (created_at, id), decide newest first."""
    ordered = sorted(keys, reverse=True)
    found: list[Key] = []
    chunk = limit if confirm.exact else max(FIRST_CHUNK, limit * 2)
    start = 0
    while len(found) < limit and start < len(ordered):
        found += confirm.keys(ordered[start : start + chunk], limit - len(found))[0]
        start += chunk
        chunk = min(chunk * 2, MAX_CHUNK)
    return [post_id for _, post_id in found[:limit]]


def load_enrichments(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    for e in conn.execute(
        select(enrichments).where(enrichments.c.post_id.in_(bindparam("ids", expanding=True))),
        {"ids": ids},
    ):
        out.setdefault(e.post_id, {})[e.enricher] = e.data
    return out
