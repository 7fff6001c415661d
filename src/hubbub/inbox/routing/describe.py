"""Rules in words, for the rules page, the editor and ``hubbub rules list``:
"any of: intent is complaint; no intents yet and mentions "refund" → team
customer-service". Plain text (templates escape it)."""

from __future__ import annotations

from collections.abc import Mapping

from hubbub.inbox.routing.model import (
    Action,
    AddTags,
    AssignPerson,
    AssignTeam,
    AuthorReachCondition,
    CloseAsSpam,
    Condition,
    Group,
    IntentCondition,
    IntentsAbsentCondition,
    KeywordsCondition,
    LanguageCondition,
    Notify,
    PlatformCondition,
    QueryCondition,
    RuleSpec,
    SentimentCondition,
    SetPriority,
    TimeOfDayCondition,
)


def _either(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def describe_condition(node: Condition, queries: Mapping[int, str] | None = None) -> str:
    if isinstance(node, Group):
        if node.op == "not":
            return f"not ({describe_condition(node.parts[0], queries)})"
        if not node.parts:
            return "every post" if node.op == "all" else "no post"
        parts = [describe_condition(p, queries) for p in node.parts]
        if len(parts) == 1:
            return parts[0]
        joined = "; ".join(parts)
        return f"all of ({joined})" if node.op == "all" else f"any of ({joined})"
    if isinstance(node, QueryCondition):
        names = [f"“{(queries or {}).get(i, f'query {i}')}”" for i in node.ids]
        return f"matched {_either(names)}"
    if isinstance(node, IntentCondition):
        text = f"intent is {_either(node.labels)}"
        return text + (f" (score ≥ {node.min_score:g})" if node.min_score is not None else "")
    if isinstance(node, IntentsAbsentCondition):
        return "no intents yet"
    if isinstance(node, SentimentCondition):
        bits = []
        if node.labels:
            bits.append(f"sentiment {_either(list(node.labels))}")
        if node.score_below is not None:
            bits.append(f"sentiment score < {node.score_below:g}")
        if node.score_above is not None:
            bits.append(f"sentiment score > {node.score_above:g}")
        return " and ".join(bits)
    if isinstance(node, LanguageCondition):
        return f"language {_either(node.languages)}"
    if isinstance(node, PlatformCondition):
        return f"on {_either(node.platforms)}"
    if isinstance(node, AuthorReachCondition):
        if node.max_followers is None:
            return f"author has ≥ {node.min_followers:,} followers"
        if node.min_followers is None:
            return f"author has ≤ {node.max_followers:,} followers"
        return f"author has {node.min_followers:,}–{node.max_followers:,} followers"
    if isinstance(node, KeywordsCondition):
        words = [f"“{w}”" for w in node.words]
        joiner = " and " if node.match == "all" else " or "
        shown = joiner.join(words[:6]) + (f" (+{len(words) - 6} more)" if len(words) > 6 else "")
        return f"mentions {shown}"
    assert isinstance(node, TimeOfDayCondition)
    days = f" on {', '.join(node.weekdays)}" if node.weekdays else ""
    return f"between {node.start} and {node.end} {node.timezone}{days}"


def describe_action(action: Action) -> str:
    if isinstance(action, AssignTeam):
        return f"team {action.team}"
    if isinstance(action, AssignPerson):
        if action.user_id is not None:
            return f"assign user {action.user_id}"
        return "assign " + (action.strategy or "").replace("_", "-")
    if isinstance(action, SetPriority):
        return f"priority {action.priority}"
    if isinstance(action, AddTags):
        return "tag " + ", ".join(action.tags)
    if isinstance(action, CloseAsSpam):
        return "close as spam"
    assert isinstance(action, Notify)
    who = [f"user {u}" for u in action.user_ids]
    if action.team is not None:
        who.append(f"team {action.team}")
    return "notify " + ", ".join(who)


def describe(spec: RuleSpec, queries: Mapping[int, str] | None = None) -> str:
    text = f"When {describe_condition(spec.conditions, queries)} → "
    text += "; ".join(describe_action(a) for a in spec.actions)
    return text + ("; then stop" if spec.stop else "")
