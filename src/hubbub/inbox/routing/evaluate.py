"""Pure rule evaluation: a post's facts against ordered rules, to a decision.

Rules are compiled once (team slugs resolved to ids, keyword phrases folded);
``decide`` then runs them in position order on one post. The routing stage and
``actions.routing.test_rule`` both call ``decide``, so a dry run says exactly
what routing would do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from hubbub.inbox.routing.model import (
    WEEKDAYS,
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
    RuleError,
    RuleSpec,
    SentimentCondition,
    SetPriority,
    TimeOfDayCondition,
    phrase_keys,
)
from hubbub.listening.tokenize import key_positions
from hubbub.post import Post


@dataclass
class RoutingInput:
    post: Post  # enrichments filled: "sentiment", "intents", "language"
    query_ids: set[int]  # listening queries the post matched
    now: datetime  # when it is routed: what time_of_day conditions look at


@dataclass
class RoutingDecision:
    team_id: int | None = None
    assignee_id: int | None = None
    assign_strategy: str | None = None  # "round_robin" | "least_loaded": see pick_assignee
    priority: str | None = None
    tags: list[str] = field(default_factory=list)
    close_as_spam: bool = False
    notify_user_ids: list[int] = field(default_factory=list)
    rule_ids: list[int] = field(default_factory=list)  # every rule that fired, in order
    team_rule_id: int | None = None  # the rule that chose the team

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Directory:
    """What rules refer to outside themselves: teams by slug and id, and each
    team's active members (for ``notify`` a team)."""

    team_ids: Mapping[str, int] = field(default_factory=dict)  # slug -> id
    members: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # team id -> users

    def team_id(self, ref: int | str) -> int | None:
        if isinstance(ref, int):
            return ref if ref in self.team_ids.values() else None
        return self.team_ids.get(ref)

    def slug(self, team_id: int | None) -> str | None:
        return next((s for s, i in self.team_ids.items() if i == team_id), None)


Predicate = Callable[["Facts"], bool]


@dataclass(frozen=True)
class Rule:
    """A compiled rule: what ``load_rules`` returns and ``decide`` runs."""

    id: int
    position: int
    name: str
    enabled: bool
    stop: bool
    spec: RuleSpec
    matches: Predicate
    team_id: int | None
    user_id: int | None
    strategy: str | None
    priority: str | None
    tags: tuple[str, ...]
    close_as_spam: bool
    notify_user_ids: tuple[int, ...]
    builtin: bool = False


def compile_rule(
    spec: RuleSpec,
    directory: Directory,
    *,
    id: int = 0,
    position: int = 0,
    builtin: bool = False,
    strict: bool = True,
) -> Rule:
    """Resolve team references. ``strict``: an unknown team is a RuleError naming
    the action; otherwise (a team deleted after the rule was saved) the action
    is dropped and the rest of the rule still works."""
    team_id: int | None = None
    user_id: int | None = None
    strategy: str | None = None
    priority: str | None = None
    tags: list[str] = []
    spam = False
    notify: list[int] = []
    for i, action in enumerate(spec.actions):
        if isinstance(action, AssignTeam | Notify) and action.team is not None:
            resolved = directory.team_id(action.team)
            if resolved is None and strict:
                raise RuleError(f"actions[{i}].team", f"no team {action.team!r}")
        else:
            resolved = None
        if isinstance(action, AssignTeam):
            team_id = resolved if team_id is None else team_id
        elif isinstance(action, AssignPerson):
            user_id, strategy = action.user_id, action.strategy
        elif isinstance(action, SetPriority):
            priority = action.priority
        elif isinstance(action, AddTags):
            tags += action.tags
        elif isinstance(action, CloseAsSpam):
            spam = True
        elif isinstance(action, Notify):
            notify += action.user_ids
            if resolved is not None:
                notify += directory.members.get(resolved, ())
    return Rule(
        id=id,
        position=position,
        name=spec.name,
        enabled=spec.enabled,
        stop=spec.stop,
        spec=spec,
        matches=compile_condition(spec.conditions),
        team_id=team_id,
        user_id=user_id,
        strategy=strategy,
        priority=priority,
        tags=tuple(dict.fromkeys(tags)),
        close_as_spam=spam,
        notify_user_ids=tuple(dict.fromkeys(notify)),
        builtin=builtin,
    )


def decide(rules: Iterable[Rule], inp: RoutingInput) -> RoutingDecision:
    """Run enabled rules in position order. Every rule that fires applies its
    actions; a later rule only fills what earlier ones left unset (team,
    assignee, priority), tags and people to notify accumulate, spam sticks, and
    a firing rule with ``stop`` ends evaluation."""
    decision = RoutingDecision()
    facts = Facts(inp)
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        if not rule.enabled or not rule.matches(facts):
            continue
        decision.rule_ids.append(rule.id)
        if rule.team_id is not None and decision.team_id is None:
            decision.team_id = rule.team_id
            decision.team_rule_id = rule.id
        # a person is chosen within the rule's own team: a rule whose team lost
        # to an earlier rule does not pick someone for the winner's team
        person_fits = rule.team_id is None or rule.team_id == decision.team_id
        if (
            person_fits
            and decision.assignee_id is None
            and decision.assign_strategy is None
            and (rule.user_id is not None or rule.strategy is not None)
        ):
            decision.assignee_id = rule.user_id
            decision.assign_strategy = rule.strategy
        if rule.priority is not None and decision.priority is None:
            decision.priority = rule.priority
        decision.tags.extend(t for t in rule.tags if t not in decision.tags)
        decision.close_as_spam = decision.close_as_spam or rule.close_as_spam
        decision.notify_user_ids.extend(
            u for u in rule.notify_user_ids if u not in decision.notify_user_ids
        )
        if rule.stop:
            break
    return decision


class Facts:
    """A post's properties as conditions read them, each computed at most once
    (tokenizing the text only when a keyword condition asks)."""

    def __init__(self, inp: RoutingInput) -> None:
        self.inp = inp
        self.post = inp.post

    @cached_property
    def intents(self) -> dict[str, Any] | None:
        value = self.post.enrichments.get("intents")
        return value if isinstance(value, dict) else None

    @cached_property
    def sentiment(self) -> tuple[str | None, float | None]:
        value = self.post.enrichments.get("sentiment")
        if not isinstance(value, dict):
            return None, None
        score = value.get("score")
        return value.get("label"), float(score) if isinstance(score, int | float) else None

    @cached_property
    def language(self) -> str | None:
        if self.post.language:
            return self.post.language.lower()
        value = self.post.enrichments.get("language")
        lang = value.get("lang") if isinstance(value, dict) else None
        return lang.lower() if isinstance(lang, str) else None

    @cached_property
    def fields(self) -> list[dict[str, list[int]]]:
        """Key positions per field (title, text): a phrase never spans the two."""
        return [key_positions(part) for part in (self.post.title, self.post.text) if part]

    def has_phrase(self, keys: tuple[str, ...]) -> bool:
        for positions in self.fields:
            starts = positions.get(keys[0])
            if not starts:
                continue
            if len(keys) == 1:
                return True
            rest = [set(positions.get(k, ())) for k in keys[1:]]
            if any(all(p + i in s for i, s in enumerate(rest, 1)) for p in starts):
                return True
        return False


def compile_condition(node: Condition) -> Predicate:
    if isinstance(node, Group):
        parts = [compile_condition(p) for p in node.parts]
        if node.op == "not":
            inner = parts[0]
            return lambda f: not inner(f)
        if node.op == "all":
            return lambda f: all(p(f) for p in parts)
        return lambda f: any(p(f) for p in parts)
    return _LEAVES[type(node)](node)


def _query(c: QueryCondition) -> Predicate:
    wanted = set(c.ids)
    return lambda f: not wanted.isdisjoint(f.inp.query_ids)


def _intent(c: IntentCondition) -> Predicate:
    labels, min_score = tuple(c.labels), c.min_score

    def check(f: Facts) -> bool:
        intents = f.intents
        if intents is None:
            return False  # no intents yet: only keyword/query/sentiment rules fire
        if min_score is None:
            return any(label in (intents.get("labels") or ()) for label in labels)
        scores = intents.get("scores") or {}
        return any(float(scores.get(label) or 0.0) >= min_score for label in labels)

    return check


def _intents_absent(c: IntentsAbsentCondition) -> Predicate:
    return lambda f: f.intents is None


def _sentiment(c: SentimentCondition) -> Predicate:
    labels = set(c.labels or ())
    below, above = c.score_below, c.score_above

    def check(f: Facts) -> bool:
        label, score = f.sentiment
        if labels and label not in labels:
            return False
        if below is not None and (score is None or score >= below):
            return False
        return above is None or (score is not None and score > above)

    return check


def _language(c: LanguageCondition) -> Predicate:
    wanted = set(c.languages)
    return lambda f: f.language in wanted


def _platform(c: PlatformCondition) -> Predicate:
    wanted = set(c.platforms)
    return lambda f: f.post.platform.lower() in wanted


def _author_reach(c: AuthorReachCondition) -> Predicate:
    low, high = c.min_followers, c.max_followers

    def check(f: Facts) -> bool:
        n = f.post.author_followers
        if n is None:
            return False
        return (low is None or n >= low) and (high is None or n <= high)

    return check


def _keywords(c: KeywordsCondition) -> Predicate:
    phrases = [phrase_keys(w) for w in c.words]
    if c.match == "all":
        return lambda f: all(f.has_phrase(k) for k in phrases)
    return lambda f: any(f.has_phrase(k) for k in phrases)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _time_of_day(c: TimeOfDayCondition) -> Predicate:
    zone = ZoneInfo(c.timezone)
    start, end = _minutes(c.start), _minutes(c.end)
    days = {WEEKDAYS.index(d) for d in c.weekdays} if c.weekdays else None

    def check(f: Facts) -> bool:
        local = f.inp.now.astimezone(zone)
        if days is not None and local.weekday() not in days:
            return False
        t = local.hour * 60 + local.minute
        if start == end:
            return True  # the whole day
        if start < end:
            return start <= t < end
        return t >= start or t < end  # wraps past midnight

    return check


_LEAVES: dict[type, Callable[[Any], Predicate]] = {
    QueryCondition: _query,
    IntentCondition: _intent,
    IntentsAbsentCondition: _intents_absent,
    SentimentCondition: _sentiment,
    LanguageCondition: _language,
    PlatformCondition: _platform,
    AuthorReachCondition: _author_reach,
    KeywordsCondition: _keywords,
    TimeOfDayCondition: _time_of_day,
}
