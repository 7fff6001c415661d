"""Saved-reply templates: ``{{author.handle}}`` and a few other variables,
substituted as plain text.

A saved reply is written by people and filled with text from strangers (an
author's display name), so it is never a Jinja template: nothing in it is
evaluated, a value is inserted as it is, and an inserted value is never read
again for variables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

VARIABLES: dict[str, str] = {
    "author.handle": "the author's handle, with @",
    "author.name": "the author's display name (else the handle)",
    "agent.name": "your name",
    "agent.first_name": "your first name",
    "team.name": "the conversation's team",
    "conversation.id": "the conversation's number",
}
# {{ name }} with optional spaces inside the braces
_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class ReplyContext:
    author_handle: str | None = None
    author_name: str | None = None
    agent_name: str | None = None
    team_name: str | None = None
    conversation_id: int | None = None

    def values(self) -> dict[str, str]:
        handle = (self.author_handle or "").lstrip("@")
        agent = (self.agent_name or "").strip()
        return {
            "author.handle": f"@{handle}" if handle else "",
            "author.name": (self.author_name or "").strip() or (f"@{handle}" if handle else ""),
            "agent.name": agent,
            "agent.first_name": agent.split()[0] if agent else "",
            "team.name": self.team_name or "",
            "conversation.id": "" if self.conversation_id is None else str(self.conversation_id),
        }


def variables_in(template: str) -> list[str]:
    """The variables a template uses; TemplateError for unknown ones or stray braces."""
    used = [m.group(1) for m in _VARIABLE.finditer(template)]
    unknown = sorted({name for name in used if name not in VARIABLES})
    if unknown:
        shown = ", ".join("{{" + name + "}}" for name in unknown)
        known = ", ".join("{{" + name + "}}" for name in VARIABLES)
        raise TemplateError(f"unknown variable {shown}; known variables: {known}")
    rest = _VARIABLE.sub("", template)
    if "{{" in rest or "}}" in rest:
        raise TemplateError(
            "unbalanced '{{' or '}}': write a variable as {{author.name}}, or leave the braces out"
        )
    return list(dict.fromkeys(used))


def check(template: str) -> None:
    """Raise TemplateError if ``template`` would not render."""
    variables_in(template)


def render(template: str, context: ReplyContext | Mapping[str, str]) -> str:
    """The template with each variable replaced by its value (one pass: a value
    containing ``{{...}}`` stays as it is)."""
    check(template)
    values = context.values() if isinstance(context, ReplyContext) else dict(context)
    return _VARIABLE.sub(lambda m: values.get(m.group(1), ""), template)
