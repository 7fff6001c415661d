"""The one error a query can raise."""

from __future__ import annotations


class QuerySyntaxError(ValueError):
    """A query that cannot be used, with where and what was expected.

    ``str(err)`` reads like ``Expected a closing ')' at position 17``;
    ``err.caret()`` shows the query with a ``^`` under that position.
    """

    def __init__(
        self,
        message: str,
        *,
        position: int,
        expected: str | None = None,
        query: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.expected = expected
        self.query = query

    @classmethod
    def expecting(
        cls, expected: str, position: int, query: str, after: str = ""
    ) -> QuerySyntaxError:
        suffix = f" after {after}" if after else ""
        return cls(
            f"Expected {expected}{suffix} at position {position}",
            position=position,
            expected=expected,
            query=query,
        )

    def caret(self) -> str:
        """The query on one line (newlines and tabs shown as spaces) and a ``^`` under ``position``."""
        line = self.query.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        return f"{line}\n{' ' * min(self.position, len(line))}^"
