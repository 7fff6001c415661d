"""The rule language: conditions and actions as JSON, validated into models.

A rule spec is what the API, the CLI and the web editor send and what
``routing_rules`` stores::

    {"name": "Complaints to customer service", "enabled": true, "stop": false,
     "conditions": {"any": [{"type": "intent", "labels": ["complaint"]},
                            {"type": "keywords", "words": ["refund", "broken"]}]},
     "actions": [{"type": "assign_team", "team": "customer-service"}]}

Conditions are a tree: ``{"all": [...]}``, ``{"any": [...]}`` and ``{"not": {...}}``
around leaves that carry a ``type``. The tree is walked by hand (pydantic checks
only the leaves) so an error names its place exactly: ``conditions.any[1].words``.
docs/routing.md is the reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from hubbub.enrich.intent import LABELS as INTENT_LABELS
from hubbub.listening.tokenize import tokenize

PRIORITIES = ("low", "normal", "high", "urgent")
STRATEGIES = ("round_robin", "least_loaded")
SENTIMENTS = ("negative", "neutral", "positive")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DEPTH = 8
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RuleError(ValueError):
    """A rule spec that does not validate; ``field`` names the bad part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- leaf conditions ----------------------------------------------------------


class QueryCondition(_Strict):
    """The post matched any of these listening queries."""

    type: Literal["query"]
    ids: list[int] = Field(min_length=1)


class IntentCondition(_Strict):
    """The post has any of these intents (with ``min_score``: scored at least that)."""

    type: Literal["intent"]
    labels: list[str] = Field(min_length=1)
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("labels")
    @classmethod
    def _known(cls, labels: list[str]) -> list[str]:
        for label in labels:
            if label not in INTENT_LABELS:
                raise ValueError(f"unknown intent {label!r} (one of {', '.join(INTENT_LABELS)})")
        return labels


class IntentsAbsentCondition(_Strict):
    """The post has no intents yet (model off or not run): gates keyword fallbacks."""

    type: Literal["intents_absent"]


class SentimentCondition(_Strict):
    """Every part given must hold: label in ``labels``, score below / above."""

    type: Literal["sentiment"]
    labels: list[Literal["negative", "neutral", "positive"]] | None = None
    score_below: float | None = Field(default=None, ge=-1.0, le=1.0)
    score_above: float | None = Field(default=None, ge=-1.0, le=1.0)

    @model_validator(mode="after")
    def _something(self) -> SentimentCondition:
        if not self.labels and self.score_below is None and self.score_above is None:
            raise ValueError("give labels, score_below or score_above")
        return self


class LanguageCondition(_Strict):
    type: Literal["language"]
    languages: list[str] = Field(min_length=1)

    @field_validator("languages")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        return [c.strip().lower() for c in codes if c.strip()] or _empty("languages")


class PlatformCondition(_Strict):
    type: Literal["platform"]
    platforms: list[str] = Field(min_length=1)

    @field_validator("platforms")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        return [n.strip().lower() for n in names if n.strip()] or _empty("platforms")


class AuthorReachCondition(_Strict):
    """Author followers within bounds; a post without a follower count never matches."""

    type: Literal["author_reach"]
    min_followers: int | None = Field(default=None, ge=0)
    max_followers: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> AuthorReachCondition:
        if self.min_followers is None and self.max_followers is None:
            raise ValueError("give min_followers, max_followers or both")
        if (
            self.min_followers is not None
            and self.max_followers is not None
            and self.min_followers > self.max_followers
        ):
            raise ValueError("min_followers is above max_followers")
        return self


class KeywordsCondition(_Strict):
    """Words or phrases in the title or text, folded like listening queries."""

    type: Literal["keywords"]
    words: list[str] = Field(min_length=1)
    match: Literal["any", "all"] = "any"

    @field_validator("words")
    @classmethod
    def _words(cls, words: list[str]) -> list[str]:
        for word in words:
            if not phrase_keys(word):
                raise ValueError(f"{word!r} has no word to look for")
        return [w.strip() for w in words]


class TimeOfDayCondition(_Strict):
    """Evaluation time between ``start`` and ``end`` (local, end excluded; an
    interval that wraps midnight, 22:00-06:00, works), on ``weekdays`` if given."""

    type: Literal["time_of_day"]
    start: str
    end: str
    timezone: str = "UTC"
    weekdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = None

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value.strip()):
            raise ValueError(f"{value!r} is not a time HH:MM (00:00 to 23:59)")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as Europe/Berlin)"
            ) from None
        return value


def _empty(field: str) -> list[str]:
    raise ValueError(f"{field} needs at least one non-blank value")


Leaf = (
    QueryCondition
    | IntentCondition
    | IntentsAbsentCondition
    | SentimentCondition
    | LanguageCondition
    | PlatformCondition
    | AuthorReachCondition
    | KeywordsCondition
    | TimeOfDayCondition
)
LEAF_TYPES: dict[str, type[_Strict]] = {
    "query": QueryCondition,
    "intent": IntentCondition,
    "intents_absent": IntentsAbsentCondition,
    "sentiment": SentimentCondition,
    "language": LanguageCondition,
    "platform": PlatformCondition,
    "author_reach": AuthorReachCondition,
    "keywords": KeywordsCondition,
    "time_of_day": TimeOfDayCondition,
}


@dataclass(frozen=True)
class Group:
    """``all`` / ``any`` of its parts; ``not`` has exactly one part."""

    op: Literal["all", "any", "not"]
    parts: tuple[Condition, ...]


Condition = Group | Leaf


# --- actions ------------------------------------------------------------------

TeamRef = Annotated[int | str, Field(union_mode="left_to_right")]


class AssignTeam(_Strict):
    type: Literal["assign_team"]
    team: TeamRef  # slug or id


class AssignPerson(_Strict):
    """A person by id, or a strategy among the team's available active members."""

    type: Literal["assign_person"]
    user_id: int | None = None
    strategy: Literal["round_robin", "least_loaded"] | None = None

    @model_validator(mode="after")
    def _one(self) -> AssignPerson:
        if (self.user_id is None) == (self.strategy is None):
            raise ValueError("give either user_id or strategy (round_robin, least_loaded)")
        return self


class SetPriority(_Strict):
    type: Literal["set_priority"]
    priority: Literal["low", "normal", "high", "urgent"]


class AddTags(_Strict):
    type: Literal["add_tags"]
    tags: list[str] = Field(min_length=1)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        cleaned = [t.strip() for t in tags]
        for tag in cleaned:
            if not tag or len(tag) > 60:
                raise ValueError("a tag is 1 to 60 characters")
        return cleaned


class CloseAsSpam(_Strict):
    type: Literal["close_as_spam"]


class Notify(_Strict):
    """People by id and/or every active member of a team."""

    type: Literal["notify"]
    user_ids: list[int] = Field(default_factory=list)
    team: TeamRef | None = None

    @model_validator(mode="after")
    def _someone(self) -> Notify:
        if not self.user_ids and self.team is None:
            raise ValueError("give user_ids, team or both")
        return self


Action = AssignTeam | AssignPerson | SetPriority | AddTags | CloseAsSpam | Notify
ACTION_TYPES: dict[str, type[_Strict]] = {
    "assign_team": AssignTeam,
    "assign_person": AssignPerson,
    "set_priority": SetPriority,
    "add_tags": AddTags,
    "close_as_spam": CloseAsSpam,
    "notify": Notify,
}


# --- the rule spec ------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A validated rule, team references not yet resolved."""

    name: str
    conditions: Condition
    actions: tuple[Action, ...]
    enabled: bool = True
    stop: bool = False

    def to_json(self) -> dict[str, Any]:
        """The normalized spec, as stored and as the API returns it."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "stop": self.stop,
            "conditions": condition_json(self.conditions),
            "actions": [a.model_dump(exclude_none=True) for a in self.actions],
        }


SPEC_KEYS = {"name", "enabled", "stop", "conditions", "actions"}


def parse_spec(data: Any) -> RuleSpec:
    """Validate a rule spec (a JSON object); RuleError names the bad field."""
    if not isinstance(data, Mapping):
        raise RuleError("", "a rule is a JSON object")
    unknown = sorted(set(data) - SPEC_KEYS)
    if unknown:
        raise RuleError(unknown[0], f"unknown field (fields: {', '.join(sorted(SPEC_KEYS))})")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError("name", "a rule needs a name")
    if len(name.strip()) > 200:
        raise RuleError("name", "at most 200 characters")
    flags = {}
    for flag, default in (("enabled", True), ("stop", False)):
        value = data.get(flag, default)
        if not isinstance(value, bool):
            raise RuleError(flag, "true or false")
        flags[flag] = value
    if "conditions" not in data:
        raise RuleError("conditions", 'missing (use {"all": []} for every post)')
    conditions = parse_condition(data["conditions"], "conditions")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise RuleError("actions", "a list of at least one action")
    return RuleSpec(
        name=name.strip(),
        conditions=conditions,
        actions=tuple(parse_action(a, f"actions[{i}]") for i, a in enumerate(actions)),
        enabled=flags["enabled"],
        stop=flags["stop"],
    )


def parse_condition(data: Any, where: str, depth: int = 0) -> Condition:
    if depth > MAX_DEPTH:
        raise RuleError(where, f"conditions nest at most {MAX_DEPTH} deep")
    if not isinstance(data, Mapping):
        raise RuleError(where, 'a condition is an object: {"all": [...]}, {"type": ...}')
    groups = [op for op in ("all", "any", "not") if op in data]
    if groups:
        op = groups[0]
        if len(data) != 1:
            raise RuleError(where, f'"{op}" stands alone in its object')
        if op == "not":
            return Group("not", (parse_condition(data["not"], f"{where}.not", depth + 1),))
        parts = data[op]
        if not isinstance(parts, list):
            raise RuleError(f"{where}.{op}", "a list of conditions")
        return Group(
            op,  # type: ignore[arg-type]
            tuple(parse_condition(p, f"{where}.{op}[{i}]", depth + 1) for i, p in enumerate(parts)),
        )
    kind = data.get("type")
    model = LEAF_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise RuleError(
            f"{where}.type",
            f"unknown condition {kind!r} (all, any, not, or type {', '.join(LEAF_TYPES)})",
        )
    return _validate(model, data, where)  # type: ignore[return-value]


def parse_action(data: Any, where: str) -> Action:
    if not isinstance(data, Mapping):
        raise RuleError(where, 'an action is an object: {"type": ...}')
    kind = data.get("type")
    model = ACTION_TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise RuleError(f"{where}.type", f"unknown action {kind!r} ({', '.join(ACTION_TYPES)})")
    return _validate(model, data, where)  # type: ignore[return-value]


def _validate(model: type[_Strict], data: Mapping[str, Any], where: str) -> _Strict:
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        first = err.errors()[0]
        path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown field"
        raise RuleError(path, message) from None


def condition_json(node: Condition) -> dict[str, Any]:
    if isinstance(node, Group):
        if node.op == "not":
            return {"not": condition_json(node.parts[0])}
        return {node.op: [condition_json(p) for p in node.parts]}
    return node.model_dump(exclude_none=True)


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """A keyword's folded keys, one per word position (``#tag`` keeps its sign)."""
    keys: list[str] = []
    last = -1
    for token in tokenize(phrase):
        if token.position != last:
            keys.append(token.key)
            last = token.position
    return tuple(keys)
