"""Saved-reply templates: plain substitution, never evaluation."""

from __future__ import annotations

import pytest

from hubbub.engage.templates import ReplyContext, TemplateError, render, variables_in

CONTEXT = ReplyContext(
    author_handle="alice@social.example",
    author_name="Alice Liddell",
    agent_name="Ana María Lopez",
    team_name="Customer service",
    conversation_id=42,
)


def test_every_variable() -> None:
    text = render(
        "Hi {{author.name}} ({{ author.handle }}), {{agent.first_name}} here "
        "({{agent.name}}, {{team.name}}). Ref #{{conversation.id}}.",
        CONTEXT,
    )
    assert text == (
        "Hi Alice Liddell (@alice@social.example), Ana here "
        "(Ana María Lopez, Customer service). Ref #42."
    )


def test_unknown_variables_are_named_with_the_known_ones() -> None:
    with pytest.raises(TemplateError) as err:
        render("Hi {{author.email}} and {{ __class__ }}", CONTEXT)
    message = str(err.value)
    assert "{{__class__}}, {{author.email}}" in message
    assert "{{author.handle}}" in message and "{{conversation.id}}" in message


def test_nothing_is_evaluated_and_values_are_not_expanded_again() -> None:
    sneaky = ReplyContext(author_name="{{agent.name}} {% raw %}{{ 7*7 }}", author_handle="x")
    assert render("Hi {{author.name}}", sneaky) == "Hi {{agent.name}} {% raw %}{{ 7*7 }}"
    with pytest.raises(TemplateError, match="unknown variable"):
        render("{{ 7*7 }}", CONTEXT)
    with pytest.raises(TemplateError, match="unbalanced"):
        variables_in("Hi {{author.name")


def test_missing_values_fall_back() -> None:
    bare = ReplyContext(author_handle="bob")
    assert render("{{author.name}}|{{team.name}}|{{agent.first_name}}", bare) == "@bob||"
