"""The listening query language: parse saved queries, match posts, search the store.

See docs/queries.md for the language.
"""

from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.matcher import CompiledQuery, Explanation, Hit, QueryIndex, compile_query
from hubbub.listening.parser import parse
from hubbub.listening.tokenize import index_text

__all__ = [
    "CompiledQuery",
    "Explanation",
    "Hit",
    "QueryIndex",
    "QuerySyntaxError",
    "compile_query",
    "index_text",
    "parse",
]
