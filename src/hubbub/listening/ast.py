"""The parsed form of a listening query: small frozen dataclasses.

``position`` (the char offset in the query) is kept for messages and
highlighting but left out of equality, so two spellings of one query compare
equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Term:
    """One token. ``key`` is folded (or case-preserved when ``case_sensitive``)."""

    key: str
    case_sensitive: bool = False
    wildcard: bool = False
    position: int = field(default=0, compare=False)

    @cached_property
    def stem(self) -> str:
        """The literal, folded part before the first wildcard (the whole key if none)."""
        if not self.wildcard:
            return self.key.casefold() if self.case_sensitive else self.key
        cut = min(i for i in (self.key.find("*"), self.key.find("?")) if i >= 0)
        return self.key[:cut].casefold() if self.case_sensitive else self.key[:cut]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in self.key)
        return re.compile(body, re.DOTALL)


@dataclass(frozen=True)
class Phrase:
    """Tokens at consecutive positions (quoted, or one word that splits in several)."""

    terms: tuple[Term, ...]
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    ordered: bool = False
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Filter:
    """A field filter on post metadata: ``lang:en``, ``followers>=1000``, ``has:link``..."""

    name: str
    op: str  # ":" or one of > >= < <=
    value: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Scope:
    """Restrict text matching of ``child`` to one part of the post: "title" or "text"."""

    part: str
    child: Node
    position: int = field(default=0, compare=False)


Node = Term | Phrase | And | Or | Not | Near | Filter | Scope


_ENCODED = re.compile(r"_u([0-9a-f]{1,6})")


def _spelled(key: str) -> str:
    """A key as a person would type it: encoded symbols (``_u1f600``) back to characters."""
    return (
        _ENCODED.sub(lambda m: chr(min(int(m.group(1), 16), 0x10FFFF)), key) if "_u" in key else key
    )


def to_text(node: Node) -> str:
    """The node written back as query text (fully parenthesised where needed)."""
    if isinstance(node, Term):
        return "{" + _spelled(node.key) + "}" if node.case_sensitive else _spelled(node.key)
    if isinstance(node, Phrase):
        inner = " ".join(_spelled(t.key) for t in node.terms)
        if node.terms and node.terms[0].case_sensitive:
            return "{" + inner + "}"
        return f'"{inner}"'
    if isinstance(node, And):
        return " AND ".join(_wrap(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrap(c) for c in node.children)
    if isinstance(node, Not):
        return "NOT " + _wrap(node.child)
    if isinstance(node, Near):
        op = f"NEAR/{node.distance}{'f' if node.ordered else ''}"
        return f"{_wrap(node.left)} {op} {_wrap(node.right)}"
    if isinstance(node, Filter):
        return f"{node.name}{node.op}{node.value}"
    return f"{node.part}:{_wrap(node.child, always=True)}"


def _wrap(node: Node, always: bool = False) -> str:
    if isinstance(node, And | Or | Near) or (always and isinstance(node, Not)):
        return f"({to_text(node)})"
    return to_text(node)
