"""Recursive-descent parser for listening queries.

Precedence, tightest first: NOT > NEAR > AND (and juxtaposition) > OR.
So ``a OR b c`` is ``a OR (b AND c)``, ``a b NEAR/3 c`` is ``a AND (b NEAR/3 c)``
and ``NOT a b`` is ``(NOT a) AND b``. Grammar in docs/queries.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hubbub.listening.ast import And, Filter, Near, Node, Not, Or, Phrase, Scope, Term
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.tokenize import tokenize

MAX_QUERY_CHARS = 4_000
MAX_TERMS = 500
MAX_DEPTH = 32
MAX_NEAR = 1_000
MIN_WILDCARD_STEM = 3

START = "a term, a phrase or '('"
FILTER_FIELDS = {"lang", "platform", "author", "site", "url", "sentiment", "intent", "has", "is"}
SCOPE_FIELDS = {"title", "text"}
HAS_VALUES = {"link", "media"}
IS_VALUES = {"reply", "repost"}

_LEX_RE = re.compile(
    r'\s+|(?P<lparen>\()|(?P<rparen>\))|(?P<quote>")|(?P<brace>\{)|(?P<word>[^\s()"{}]+)|(?P<other>.)',
    re.S,
)
_NEAR_RE = re.compile(r"NEAR/(\d{1,6})(f?)")
_FIELD_RE = re.compile(r"([A-Za-z_]+):(.*)", re.S)
_FOLLOWERS_RE = re.compile(r"followers(>=|<=|>|<|:)(.*)", re.S | re.I)


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: str  # ( ) phrase cased word AND OR NOT NEAR scope filter eof
    text: str
    start: int
    end: int


def parse(query: str) -> Node:
    """Parse a query; raises QuerySyntaxError (a ValueError) and nothing else."""
    if not isinstance(query, str):
        raise QuerySyntaxError("The query must be text", position=0, query=str(query))
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"The query is longer than {MAX_QUERY_CHARS} characters ({len(query)})",
            position=MAX_QUERY_CHARS,
            query=query,
        )
    parser = _Parser(query)
    try:
        return parser.parse()
    except RecursionError:  # a safety net; the depth limit should stop this first
        raise QuerySyntaxError(
            f"The query is nested too deeply (more than {MAX_DEPTH} levels)",
            position=0,
            query=query,
        ) from None


def _lex(query: str) -> list[Lexeme]:
    out: list[Lexeme] = []
    i = 0
    n = len(query)
    while i < n:
        m = _LEX_RE.match(query, i)
        assert m is not None  # the pattern matches any char
        kind = m.lastgroup
        if kind is None:  # whitespace
            i = m.end()
            continue
        if kind in ("quote", "brace"):
            close = '"' if kind == "quote" else "}"
            end = query.find(close, i + 1)
            if end < 0:
                raise QuerySyntaxError(
                    f"Expected a closing '{close}' at position {n} (opened at position {i})",
                    position=n,
                    expected=f"a closing '{close}'",
                    query=query,
                )
            out.append(
                Lexeme("phrase" if kind == "quote" else "cased", query[i + 1 : end], i, end + 1)
            )
            i = end + 1
            continue
        text = m.group()
        if kind == "lparen" or kind == "rparen":
            out.append(Lexeme(text, text, i, m.end()))
        elif kind == "other":  # a stray '}'
            raise QuerySyntaxError(
                f"Unexpected '{text}' at position {i}", position=i, expected=START, query=query
            )
        elif text in ("AND", "OR", "NOT"):
            out.append(Lexeme(text, text, i, m.end()))
        elif text.startswith("NEAR/") or text == "NEAR":
            near = _NEAR_RE.fullmatch(text)
            if near is None or int(near.group(1)) > MAX_NEAR:
                raise QuerySyntaxError(
                    f"Expected a distance from 0 to {MAX_NEAR} like NEAR/3 or NEAR/3f at position {i}",
                    position=i,
                    expected="a distance like NEAR/3 or NEAR/3f",
                    query=query,
                )
            out.append(Lexeme("NEAR", text, i, m.end()))
        else:
            out.append(_classify_word(query, text, i))
        i = m.end()
    out.append(Lexeme("eof", "", n, n))
    return out


def _classify_word(query: str, text: str, start: int) -> Lexeme:
    end = start + len(text)
    if _FOLLOWERS_RE.match(text):
        return Lexeme("filter", text, start, end)
    field = _FIELD_RE.fullmatch(text)
    if field is None:
        return Lexeme("word", text, start, end)
    name = field.group(1).lower()
    if name in SCOPE_FIELDS:
        return Lexeme("scope", text, start, end)
    if name in FILTER_FIELDS:
        return Lexeme("filter", text, start, end)
    if name in ("http", "https"):
        return Lexeme("word", text, start, end)
    known = ", ".join(f"{f}:" for f in sorted(FILTER_FIELDS | SCOPE_FIELDS))
    raise QuerySyntaxError(
        f"Unknown field '{field.group(1)}:' at position {start} (known: {known}, followers>N; "
        f"put the text in quotes to search for it)",
        position=start,
        expected="a known field",
        query=query,
    )


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.lexemes = _lex(query)
        self.i = 0
        self.depth = 0
        self.terms = 0

    # -- helpers -------------------------------------------------------------

    @property
    def peek(self) -> Lexeme:
        return self.lexemes[self.i]

    def take(self) -> Lexeme:
        lex = self.lexemes[self.i]
        self.i += 1
        return lex

    def error(self, message: str, position: int, expected: str | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(message, position=position, expected=expected, query=self.query)

    def expecting(self, expected: str, lex: Lexeme, after: str = "") -> QuerySyntaxError:
        return QuerySyntaxError.expecting(expected, lex.start, self.query, after)

    def enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                f"The query is nested too deeply (more than {MAX_DEPTH} levels) at position {position}",
                position,
            )

    # -- grammar -------------------------------------------------------------

    def parse(self) -> Node:
        if self.peek.kind == "eof":
            raise self.error("The query is empty", 0, START)
        node = self.parse_or()
        lex = self.peek
        if lex.kind == ")":
            raise self.error(
                f"Unexpected ')' at position {lex.start} (no '(' to close)",
                lex.start,
                "an operator or the end",
            )
        if lex.kind != "eof":  # cannot happen: every other lexeme continues an AND
            raise self.expecting("an operator or the end of the query", lex)
        if not _includes_something(node):
            raise self.error(
                "The query only excludes (NOT ...); add at least one term or filter to include",
                0,
                "a term to include",
            )
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek.kind == "OR":
            op = self.take()
            children.append(self.parse_and(after=op))
        return children[0] if len(children) == 1 else Or(_flatten(Or, children))

    def parse_and(self, after: Lexeme | None = None) -> Node:
        children = [self.parse_near(after)]
        while True:
            kind = self.peek.kind
            if kind == "AND":
                op = self.take()
                children.append(self.parse_near(op))
            elif kind in ("word", "phrase", "cased", "(", "NOT", "scope", "filter"):
                children.append(self.parse_near(None))
            else:
                break
        return children[0] if len(children) == 1 else And(_flatten(And, children))

    def parse_near(self, after: Lexeme | None) -> Node:
        left = self.parse_unary(after)
        while self.peek.kind == "NEAR":
            op = self.take()
            right = self.parse_unary(op)
            m = _NEAR_RE.fullmatch(op.text)
            assert m is not None  # checked by the lexer
            for side, node in (("left", left), ("right", right)):
                if not _positional(node):
                    raise self.error(
                        f"{op.text} needs a term, a phrase or a group of terms on its {side} "
                        f"(not NOT or a field filter) at position {op.start}",
                        op.start,
                        "a term, a phrase or a group",
                    )
            left = Near(left, right, int(m.group(1)), m.group(2) == "f", op.start)
        return left

    def parse_unary(self, after: Lexeme | None) -> Node:
        lex = self.peek
        if lex.kind == "NOT":
            self.take()
            self.enter(lex.start)
            child = self.parse_unary(lex)
            self.depth -= 1
            return Not(child, lex.start)
        return self.parse_primary(after)

    def parse_primary(self, after: Lexeme | None) -> Node:
        lex = self.take()
        after_text = after.text if after is not None else ""
        if lex.kind == "(":
            self.enter(lex.start)
            if self.peek.kind == ")":
                raise self.expecting(START, self.peek, "'('")
            node = self.parse_or()
            close = self.peek
            if close.kind != ")":
                raise self.expecting("a closing ')'", close)
            self.take()
            self.depth -= 1
            return node
        if lex.kind == "phrase":
            return self.phrase(lex.text, lex.start + 1, case_sensitive=False)
        if lex.kind == "cased":
            return self.phrase(lex.text, lex.start + 1, case_sensitive=True)
        if lex.kind == "word":
            return self.word(lex.text, lex.start)
        if lex.kind == "filter":
            return self.filter(lex)
        if lex.kind == "scope":
            return self.scope(lex)
        self.i -= 1
        raise self.expecting(START, lex, after_text)

    # -- leaves --------------------------------------------------------------

    def scope(self, lex: Lexeme) -> Node:
        name, _, rest = lex.text.partition(":")
        value_at = lex.start + len(name) + 1
        self.enter(lex.start)
        if rest:
            if rest.upper() in ("AND", "OR", "NOT") or rest.startswith("NEAR"):
                raise self.expecting(START, Lexeme("word", rest, value_at, lex.end), f"'{name}:'")
            if _classify_word(self.query, rest, value_at).kind in ("filter", "scope"):
                raise self.error(
                    f"'{name}:' can only hold terms, phrases and groups of them at position {lex.start}",
                    lex.start,
                    "a term, a phrase or a group",
                )
            child: Node = self.word(rest, value_at)
        else:
            nxt = self.peek
            if nxt.kind not in ("(", "phrase", "cased", "word") or nxt.start != lex.end:
                raise self.expecting(START, nxt, f"'{name}:'")
            child = self.parse_primary(lex)
        self.depth -= 1
        if isinstance(child, Scope) or _contains_filter(child):
            raise self.error(
                f"'{name}:' can only hold terms, phrases and groups of them at position {lex.start}",
                lex.start,
                "a term, a phrase or a group",
            )
        return Scope(name.lower(), child, lex.start)

    def filter(self, lex: Lexeme) -> Node:
        followers = _FOLLOWERS_RE.fullmatch(lex.text)
        if followers:
            op, value = followers.group(1), followers.group(2)
            at = lex.start + 9 + len(op)
            if not value.isascii() or not value.isdigit() or len(value) > 15:
                raise self.error(
                    f"Expected a whole number after 'followers{op}' at position {at}",
                    at,
                    "a whole number",
                )
            return Filter("followers", ">=" if op == ":" else op, str(int(value)), lex.start)
        name, _, value = lex.text.partition(":")
        name = name.lower()
        at = lex.start + len(name) + 1
        if not value:
            raise self.error(
                f"Expected a value after '{name}:' at position {at}", at, f"a value after '{name}:'"
            )
        value = value.casefold()
        if name == "author":
            value = value.lstrip("@")
        elif name == "site":
            value = (
                value.removeprefix("https://")
                .removeprefix("http://")
                .strip("/")
                .removeprefix("www.")
            )
        allowed = HAS_VALUES if name == "has" else IS_VALUES if name == "is" else None
        if allowed is not None and value not in allowed:
            choices = " or ".join(f"{name}:{v}" for v in sorted(allowed))
            raise self.error(f"Expected {choices} at position {at}", at, choices)
        if not value:
            raise self.error(
                f"Expected a value after '{name}:' at position {at}", at, f"a value after '{name}:'"
            )
        self.count_terms(1, lex.start)
        return Filter(name, ":", value, lex.start)

    def phrase(self, text: str, start: int, *, case_sensitive: bool) -> Node:
        terms: list[Term] = []
        for m in re.finditer(r"\S+", text):
            terms.extend(self.terms_of(m.group(), start + m.start(), case_sensitive))
        if not terms:
            kind = "braces" if case_sensitive else "quotes"
            raise self.error(
                f"Nothing to match inside the {kind} at position {start - 1}",
                start - 1,
                "letters, digits or emoji",
            )
        return terms[0] if len(terms) == 1 else Phrase(tuple(terms), start - 1)

    def word(self, text: str, start: int) -> Node:
        terms = self.terms_of(text, start, case_sensitive=False)
        if not terms:
            raise self.error(
                f"'{text}' at position {start} has no letters, digits or emoji to match",
                start,
                "letters, digits or emoji",
            )
        return terms[0] if len(terms) == 1 else Phrase(tuple(terms), start)

    def terms_of(self, text: str, start: int, case_sensitive: bool) -> list[Term]:
        if "*" in text or "?" in text:
            return [self.wildcard(text, start, case_sensitive)]
        by_position: dict[int, Term] = {}
        for tok in tokenize(text):
            if tok.position not in by_position:  # '#tag' also yields 'tag': keep '#tag'
                key = tok.cased if case_sensitive else tok.key
                by_position[tok.position] = Term(key, case_sensitive, False, start + tok.start)
        self.count_terms(len(by_position), start)
        return list(by_position.values())

    def wildcard(self, text: str, start: int, case_sensitive: bool) -> Term:
        sign = text[0] if text[0] in "#@" else ""
        body = text[len(sign) :]
        pieces = re.split(r"([*?]+)", body)
        stem = pieces[0]
        if len(stem) < MIN_WILDCARD_STEM:
            raise self.error(
                f"A wildcard needs at least {MIN_WILDCARD_STEM} letters or digits before it "
                f"at position {start + len(sign) + len(stem)}",
                start + len(sign) + len(stem),
                f"at least {MIN_WILDCARD_STEM} letters or digits",
            )
        key = sign
        offset = start + len(sign)
        for piece in pieces:
            if not piece:
                continue
            if piece[0] in "*?":
                key += re.sub(r"\*+", "*", piece)  # '**' means '*'
            else:
                toks = tokenize(piece)
                if len(toks) != 1 or toks[0].start != 0 or toks[0].end != len(piece):
                    raise self.error(
                        f"A wildcard term must be one word of letters and digits at position {offset}",
                        offset,
                        "letters or digits",
                    )
                key += toks[0].cased if case_sensitive else toks[0].key
            offset += len(piece)
        self.count_terms(1, start)
        return Term(key, case_sensitive, True, start)

    def count_terms(self, n: int, position: int) -> None:
        self.terms += n
        if self.terms > MAX_TERMS:
            raise self.error(
                f"The query has more than {MAX_TERMS} terms (at position {position})", position
            )


def _flatten(cls: type[And] | type[Or], children: list[Node]) -> tuple[Node, ...]:
    out: list[Node] = []
    for child in children:
        if isinstance(child, cls):
            out.extend(child.children)
        else:
            out.append(child)
    return tuple(out)


def _includes_something(node: Node) -> bool:
    """False for a query that can only exclude (it would match nearly every post)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_includes_something(c) for c in node.children)
    if isinstance(node, Or):
        return all(_includes_something(c) for c in node.children)
    if isinstance(node, Scope):
        return _includes_something(node.child)
    return True


def _positional(node: Node) -> bool:
    """Whether the node has word positions (a NEAR operand)."""
    if isinstance(node, Term | Phrase | Near):
        return True
    if isinstance(node, Or):
        return all(_positional(c) for c in node.children)
    if isinstance(node, And):
        return any(_positional(c) for c in node.children) and all(
            _positional(c) or isinstance(c, Not) for c in node.children
        )
    if isinstance(node, Scope):
        return _positional(node.child)
    return False


def _contains_filter(node: Node) -> bool:
    if isinstance(node, Filter):
        return True
    if isinstance(node, And | Or):
        return any(_contains_filter(c) for c in node.children)
    if isinstance(node, Not | Scope):
        return _contains_filter(node.child)
    if isinstance(node, Near):
        return _contains_filter(node.left) or _contains_filter(node.right)
    return False
