"""The rule editor's form: one set of fields per condition and action type,
to and from a rule spec.

The form covers rules whose conditions are one ``all`` / ``any`` list with at
most one condition of each type, and a keyword condition that may apply only
while a post has no intents (the shipped rules' fallback). Anything else
(nested groups, ``not``) is edited as JSON; ``to_form`` returns None for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SIMPLE_LEAVES = (
    "query",
    "intent",
    "sentiment",
    "language",
    "platform",
    "author_reach",
    "keywords",
    "time_of_day",
)
SINGLE_ACTIONS = ("assign_team", "assign_person", "set_priority", "add_tags", "close_as_spam")


class FormError(ValueError):
    """A field that is not what it should be (a number, say); names the field."""


def empty_form() -> dict[str, Any]:
    return {
        "name": "",
        "enabled": True,
        "stop": False,
        "match": "all",
        "queries": [],
        "intents": [],
        "intent_min_score": "",
        "sentiments": [],
        "score_below": "",
        "score_above": "",
        "languages": "",
        "platforms": "",
        "min_followers": "",
        "max_followers": "",
        "keywords": "",
        "keywords_match": "any",
        "keywords_fallback": False,
        "time_start": "",
        "time_end": "",
        "timezone": "UTC",
        "weekdays": [],
        "team": "",
        "person": "",
        "priority": "",
        "tags": "",
        "spam": False,
        "notify_team": "",
        "notify_users": [],
    }


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(form: Any, name: str) -> list[str]:
    values = form.getlist(name) if hasattr(form, "getlist") else form.get(name) or []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _number(value: str, label: str, kind: type = float) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise FormError(
            f"{label}: {value!r} is not a {'whole ' if kind is int else ''}number"
        ) from None


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]


def read_form(form: Any) -> dict[str, Any]:
    """The submitted fields, as the template shows them again."""
    values = empty_form()
    for key in values:
        if isinstance(values[key], bool):
            values[key] = form.get(key) == "on"
        elif isinstance(values[key], list):
            values[key] = _list(form, key)
        else:
            values[key] = _text(form, key) or values[key]
    return values


def to_spec(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values to a rule spec (validated afterwards by parse_spec)."""
    leaves: list[dict[str, Any]] = []
    if values["queries"]:
        ids = [_number(q, "Listening queries", int) for q in values["queries"]]
        leaves.append({"type": "query", "ids": ids})
    if values["intents"]:
        leaf: dict[str, Any] = {"type": "intent", "labels": values["intents"]}
        score = _number(values["intent_min_score"], "Intent minimum score")
        if score is not None:
            leaf["min_score"] = score
        leaves.append(leaf)
    below = _number(values["score_below"], "Sentiment score below")
    above = _number(values["score_above"], "Sentiment score above")
    if values["sentiments"] or below is not None or above is not None:
        leaf = {"type": "sentiment"}
        if values["sentiments"]:
            leaf["labels"] = values["sentiments"]
        if below is not None:
            leaf["score_below"] = below
        if above is not None:
            leaf["score_above"] = above
        leaves.append(leaf)
    if _csv(values["languages"]):
        leaves.append({"type": "language", "languages": _csv(values["languages"])})
    if _csv(values["platforms"]):
        leaves.append({"type": "platform", "platforms": _csv(values["platforms"])})
    low = _number(values["min_followers"], "Minimum followers", int)
    high = _number(values["max_followers"], "Maximum followers", int)
    if low is not None or high is not None:
        leaf = {"type": "author_reach"}
        if low is not None:
            leaf["min_followers"] = low
        if high is not None:
            leaf["max_followers"] = high
        leaves.append(leaf)
    words = [w.strip() for w in values["keywords"].splitlines() if w.strip()]
    if words:
        leaf = {"type": "keywords", "words": words, "match": values["keywords_match"] or "any"}
        if values["keywords_fallback"]:
            leaf = {"all": [{"type": "intents_absent"}, leaf]}
        leaves.append(leaf)
    if values["time_start"] or values["time_end"]:
        leaf = {
            "type": "time_of_day",
            "start": values["time_start"],
            "end": values["time_end"],
            "timezone": values["timezone"] or "UTC",
        }
        if values["weekdays"]:
            leaf["weekdays"] = values["weekdays"]
        leaves.append(leaf)
    return {
        "name": values["name"],
        "enabled": bool(values["enabled"]),
        "stop": bool(values["stop"]),
        "conditions": {values["match"] if values["match"] in ("all", "any") else "all": leaves},
        "actions": _actions(values),
    }


def _actions(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    if values["team"]:
        actions.append({"type": "assign_team", "team": values["team"]})
    person = values["person"]
    if person.startswith("user:"):
        user_id = _number(person.removeprefix("user:"), "Assign to", int)
        actions.append({"type": "assign_person", "user_id": user_id})
    elif person:
        actions.append({"type": "assign_person", "strategy": person})
    if values["priority"]:
        actions.append({"type": "set_priority", "priority": values["priority"]})
    if _csv(values["tags"]):
        actions.append({"type": "add_tags", "tags": _csv(values["tags"])})
    if values["spam"]:
        actions.append({"type": "close_as_spam"})
    notify_users = [_number(u, "Notify people", int) for u in values["notify_users"]]
    if values["notify_team"] or notify_users:
        action: dict[str, Any] = {"type": "notify", "user_ids": notify_users}
        if values["notify_team"]:
            action["team"] = values["notify_team"]
        actions.append(action)
    return actions


def to_form(spec: Mapping[str, Any], team_slugs: Mapping[int, str]) -> dict[str, Any] | None:
    """A (normalized) spec as form values, or None if the form cannot hold it.
    ``team_slugs``: team id -> slug, for rules that name teams by id."""
    values = empty_form()
    values.update(name=spec["name"], enabled=spec["enabled"], stop=spec["stop"])
    conditions = spec["conditions"]
    op = next(iter(conditions))
    if op not in ("all", "any"):
        return None
    values["match"] = op
    seen: set[str] = set()
    for leaf in conditions[op]:
        if set(leaf) == {"all"} and _is_fallback(leaf["all"]):
            leaf = leaf["all"][1]
            values["keywords_fallback"] = True
        kind = leaf.get("type")
        if kind not in SIMPLE_LEAVES or kind in seen:
            return None
        seen.add(kind)
        _leaf_to_form(leaf, values)
    kinds = [a["type"] for a in spec["actions"]]
    if any(kinds.count(k) > 1 for k in kinds):
        return None
    for action in spec["actions"]:
        if not _action_to_form(action, values, team_slugs):
            return None
    return values


def _is_fallback(parts: list[Any]) -> bool:
    return (
        len(parts) == 2
        and parts[0] == {"type": "intents_absent"}
        and isinstance(parts[1], dict)
        and parts[1].get("type") == "keywords"
    )


def _fmt(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _leaf_to_form(leaf: Mapping[str, Any], values: dict[str, Any]) -> None:
    kind = leaf["type"]
    if kind == "query":
        values["queries"] = [str(i) for i in leaf["ids"]]
    elif kind == "intent":
        values["intents"] = list(leaf["labels"])
        values["intent_min_score"] = _fmt(leaf.get("min_score"))
    elif kind == "sentiment":
        values["sentiments"] = list(leaf.get("labels") or [])
        values["score_below"] = _fmt(leaf.get("score_below"))
        values["score_above"] = _fmt(leaf.get("score_above"))
    elif kind == "language":
        values["languages"] = ", ".join(leaf["languages"])
    elif kind == "platform":
        values["platforms"] = ", ".join(leaf["platforms"])
    elif kind == "author_reach":
        values["min_followers"] = _fmt(leaf.get("min_followers"))
        values["max_followers"] = _fmt(leaf.get("max_followers"))
    elif kind == "keywords":
        values["keywords"] = "\n".join(leaf["words"])
        values["keywords_match"] = leaf.get("match", "any")
    elif kind == "time_of_day":
        values["time_start"], values["time_end"] = leaf["start"], leaf["end"]
        values["timezone"] = leaf.get("timezone", "UTC")
        values["weekdays"] = list(leaf.get("weekdays") or [])


def _team_slug(ref: Any, team_slugs: Mapping[int, str]) -> str | None:
    return team_slugs.get(ref) if isinstance(ref, int) else str(ref)


def _action_to_form(
    action: Mapping[str, Any], values: dict[str, Any], team_slugs: Mapping[int, str]
) -> bool:
    kind = action["type"]
    if kind == "assign_team":
        slug = _team_slug(action["team"], team_slugs)
        values["team"] = slug or ""
        return slug is not None
    if kind == "assign_person":
        user_id = action.get("user_id")
        values["person"] = f"user:{user_id}" if user_id is not None else action["strategy"]
    elif kind == "set_priority":
        values["priority"] = action["priority"]
    elif kind == "add_tags":
        values["tags"] = ", ".join(action["tags"])
    elif kind == "close_as_spam":
        values["spam"] = True
    elif kind == "notify":
        values["notify_users"] = [str(u) for u in action.get("user_ids") or []]
        if action.get("team") is not None:
            slug = _team_slug(action["team"], team_slugs)
            if slug is None:
                return False
            values["notify_team"] = slug
    return True
