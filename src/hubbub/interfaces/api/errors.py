"""Turning domain errors into HTTP errors."""

from __future__ import annotations

from fastapi import HTTPException

from hubbub.listening.ast import Node
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.parser import parse


def syntax_error(err: QuerySyntaxError) -> HTTPException:
    return HTTPException(
        400, detail={"message": err.message, "position": err.position, "expected": err.expected}
    )


def parse_or_400(query: str) -> Node:
    try:
        return parse(query)
    except QuerySyntaxError as err:
        raise syntax_error(err) from err


def not_found(what: str) -> HTTPException:
    return HTTPException(404, detail=f"{what} not found")
