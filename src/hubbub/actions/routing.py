"""Routing rules: create, change, reorder and delete them (validated, audited,
``rule.manage``), ship the default teams and rules, and dry-run a rule over
stored posts before saving it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from hubbub.actions.audit import record
from hubbub.inbox.routing.defaults import DEFAULT_RULES, DEFAULT_TEAMS
from hubbub.inbox.routing.evaluate import (
    Directory,
    RoutingDecision,
    Rule,
    compile_rule,
    decide,
)
from hubbub.inbox.routing.model import (
    AssignPerson,
    Condition,
    Group,
    Notify,
    QueryCondition,
    RuleError,
    RuleSpec,
    parse_spec,
)
from hubbub.inbox.routing.store import load_directory, load_rules, routing_inputs
from hubbub.people.principal import Principal
from hubbub.post import Post, utcnow
from hubbub.store.tables import listening_queries, posts, routing_rules, teams, users

MANAGE = "rule.manage"


class RuleNotFound(LookupError):
    pass


class DuplicateRuleName(ValueError):
    pass


def _row(conn: Connection, rule_id: int) -> dict[str, Any]:
    row = conn.execute(select(routing_rules).where(routing_rules.c.id == rule_id)).first()
    if row is None:
        raise RuleNotFound(f"no routing rule {rule_id}")
    return dict(row._mapping)


def _audited(row: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("name", "position", "enabled", "stop", "conditions", "actions")
    return {k: row[k] for k in keys}


def _leaves(node: Condition, where: str) -> Iterator[tuple[str, Condition]]:
    if isinstance(node, Group):
        for i, part in enumerate(node.parts):
            yield from _leaves(
                part, f"{where}.not" if node.op == "not" else f"{where}.{node.op}[{i}]"
            )
    else:
        yield where, node


def validate(conn: Connection, data: Any) -> tuple[RuleSpec, Rule]:
    """A spec checked against the workspace: teams, people and listening queries
    it names must exist. RuleError names the field."""
    spec = data if isinstance(data, RuleSpec) else parse_spec(data)
    directory = load_directory(conn)
    rule = compile_rule(spec, directory, strict=True)
    query_ids = set(conn.execute(select(listening_queries.c.id)).scalars())
    for where, leaf in _leaves(spec.conditions, "conditions"):
        if isinstance(leaf, QueryCondition):
            missing = [i for i in leaf.ids if i not in query_ids]
            if missing:
                raise RuleError(f"{where}.ids", f"no listening query {missing[0]}")
    user_ids = set(conn.execute(select(users.c.id).where(users.c.active.is_(True))).scalars())
    for i, action in enumerate(spec.actions):
        named = [action.user_id] if isinstance(action, AssignPerson) and action.user_id else []
        named += action.user_ids if isinstance(action, Notify) else []
        for user_id in named:
            if user_id not in user_ids:
                field_name = "user_id" if isinstance(action, AssignPerson) else "user_ids"
                raise RuleError(f"actions[{i}].{field_name}", f"no active user {user_id}")
    return spec, rule


def _name_taken(conn: Connection, name: str, except_id: int | None = None) -> None:
    query = select(routing_rules.c.id).where(routing_rules.c.name == name)
    if except_id is not None:
        query = query.where(routing_rules.c.id != except_id)
    if conn.execute(query).first() is not None:
        raise DuplicateRuleName(f"a routing rule named {name!r} already exists")


def _insert(
    conn: Connection, spec: RuleSpec, position: int, *, builtin: bool, now: datetime
) -> int:
    body = spec.to_json()
    return int(
        conn.execute(
            insert(routing_rules).values(
                position=position,
                name=spec.name,
                enabled=spec.enabled,
                stop=spec.stop,
                conditions=body["conditions"],
                actions=body["actions"],
                builtin=builtin,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def create_rule(engine: Engine, actor: Principal, data: Any, *, position: int | None = None) -> int:
    """Save a rule at ``position`` (1 = first; later rules move down) or last."""
    actor.require(MANAGE)
    now = utcnow()
    with engine.begin() as conn:
        spec, _ = validate(conn, data)
        _name_taken(conn, spec.name)
        last = conn.execute(select(func.max(routing_rules.c.position))).scalar() or 0
        if position is None or position > last:
            position = last + 1
        else:
            position = max(position, 1)
            conn.execute(
                update(routing_rules)
                .where(routing_rules.c.position >= position)
                .values(position=routing_rules.c.position + 1)
            )
        rule_id = _insert(conn, spec, position, builtin=False, now=now)
        record(
            conn, actor, "rule.create", "routing_rule", rule_id,
            after={"position": position, **spec.to_json()},
        )  # fmt: skip
    return rule_id


def update_rule(engine: Engine, actor: Principal, rule_id: int, data: Any) -> None:
    """Replace a rule's name, flags, conditions and actions (position stays)."""
    actor.require(MANAGE)
    with engine.begin() as conn:
        before = _row(conn, rule_id)
        spec, _ = validate(conn, data)
        _name_taken(conn, spec.name, except_id=rule_id)
        body = spec.to_json()
        conn.execute(
            update(routing_rules)
            .where(routing_rules.c.id == rule_id)
            .values(
                name=spec.name,
                enabled=spec.enabled,
                stop=spec.stop,
                conditions=body["conditions"],
                actions=body["actions"],
                updated_at=utcnow(),
            )
        )
        record(
            conn, actor, "rule.update", "routing_rule", rule_id,
            before=_audited(before), after={"position": before["position"], **body},
        )  # fmt: skip


def set_rule_enabled(engine: Engine, actor: Principal, rule_id: int, enabled: bool) -> None:
    actor.require(MANAGE)
    with engine.begin() as conn:
        before = _row(conn, rule_id)
        conn.execute(
            update(routing_rules)
            .where(routing_rules.c.id == rule_id)
            .values(enabled=enabled, updated_at=utcnow())
        )
        record(
            conn, actor, "rule.update", "routing_rule", rule_id,
            before={"enabled": before["enabled"]}, after={"enabled": enabled},
        )  # fmt: skip


def delete_rule(engine: Engine, actor: Principal, rule_id: int) -> None:
    actor.require(MANAGE)
    with engine.begin() as conn:
        before = _row(conn, rule_id)
        conn.execute(delete(routing_rules).where(routing_rules.c.id == rule_id))
        record(conn, actor, "rule.delete", "routing_rule", rule_id, before=_audited(before))


def reorder_rules(engine: Engine, actor: Principal, rule_ids: Sequence[int]) -> None:
    """Set the order: ``rule_ids`` must list every rule once; positions become 1..n."""
    actor.require(MANAGE)
    with engine.begin() as conn:
        _reorder(conn, actor, list(rule_ids))


def _reorder(conn: Connection, actor: Principal, rule_ids: list[int]) -> None:
    current = list(
        conn.execute(
            select(routing_rules.c.id).order_by(routing_rules.c.position, routing_rules.c.id)
        ).scalars()
    )
    if sorted(rule_ids) != sorted(current) or len(set(rule_ids)) != len(rule_ids):
        raise RuleError(
            "rule_ids", f"list every rule exactly once (the rules are {sorted(current)})"
        )
    for position, rule_id in enumerate(rule_ids, 1):
        conn.execute(
            update(routing_rules).where(routing_rules.c.id == rule_id).values(position=position)
        )
    record(
        conn, actor, "rule.reorder", "routing_rules", None,
        before={"order": current}, after={"order": rule_ids},
    )  # fmt: skip


def move_rule(engine: Engine, actor: Principal, rule_id: int, offset: int) -> None:
    """Move a rule ``offset`` places (-1: up one, evaluated earlier)."""
    actor.require(MANAGE)
    with engine.begin() as conn:
        _row(conn, rule_id)
        order = list(
            conn.execute(
                select(routing_rules.c.id).order_by(routing_rules.c.position, routing_rules.c.id)
            ).scalars()
        )
        at = order.index(rule_id)
        target = min(max(at + offset, 0), len(order) - 1)
        if target == at:
            return
        order.insert(target, order.pop(at))
        _reorder(conn, actor, order)


@dataclass(frozen=True)
class DefaultsResult:
    teams_created: list[str]
    rules_created: list[str]


def ensure_default_routing(engine: Engine, *, restore: bool = False) -> DefaultsResult:
    """Create the five default teams that are missing, and the default rules the
    first time (when no builtin rule exists): deleting a default rule is then
    respected. ``restore`` adds back every default rule missing by name.
    Idempotent; audited as Hubbub itself."""
    actor = Principal.system()
    now = utcnow()
    made_teams: list[str] = []
    made_rules: list[str] = []
    with engine.begin() as conn:
        existing = set(conn.execute(select(teams.c.slug)).scalars())
        for slug, name in DEFAULT_TEAMS:
            if slug in existing:
                continue
            team_id = conn.execute(
                insert(teams).values(slug=slug, name=name, created_at=now)
            ).inserted_primary_key[0]  # type: ignore[index]
            record(conn, actor, "team.create", "team", team_id, after={"slug": slug, "name": name})
            made_teams.append(slug)
        has_builtin = (
            conn.execute(
                select(routing_rules.c.id).where(routing_rules.c.builtin.is_(True))
            ).first()
            is not None
        )
        if has_builtin and not restore:
            return DefaultsResult(made_teams, made_rules)
        names = set(conn.execute(select(routing_rules.c.name)).scalars())
        directory = load_directory(conn)
        position = conn.execute(select(func.max(routing_rules.c.position))).scalar() or 0
        for data in DEFAULT_RULES:
            if data["name"] in names:
                continue
            spec = parse_spec(data)
            compile_rule(spec, directory, strict=True)  # every default team exists now
            position += 1
            rule_id = _insert(conn, spec, position, builtin=True, now=now)
            record(
                conn, actor, "rule.create", "routing_rule", rule_id,
                after={"position": position, "builtin": True, **spec.to_json()},
            )  # fmt: skip
            made_rules.append(spec.name)
    return DefaultsResult(made_teams, made_rules)


# --- dry run --------------------------------------------------------------------

TEST_CHUNK = 2_000
TEST_MAX_POSTS = 500_000


@dataclass(frozen=True)
class RuleTestSample:
    post: Post
    decision: RoutingDecision
    query_ids: list[int]


@dataclass
class RuleTestResult:
    since: datetime | None
    until: datetime | None
    evaluated: int = 0  # stored posts in the window
    evaluated_matched: int = 0  # of those, posts that matched a listening query
    fired: int = 0  # posts the rule fired on
    fired_matched: int = 0  # of those, posts that matched a listening query (open conversations)
    capped: bool = False  # the window held more than TEST_MAX_POSTS: the newest were evaluated
    per_team: list[tuple[str, int]] = field(default_factory=list)  # team slug ("" none), count
    priorities: dict[str, int] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    spam: int = 0
    samples: list[RuleTestSample] = field(default_factory=list)  # newest first
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "evaluated": self.evaluated,
            "evaluated_matched": self.evaluated_matched,
            "fired": self.fired,
            "fired_matched": self.fired_matched,
            "capped": self.capped,
            "per_team": [{"team": t or None, "count": n} for t, n in self.per_team],
            "priorities": self.priorities,
            "tags": self.tags,
            "spam": self.spam,
            "seconds": round(self.seconds, 3),
        }


def test_rule(
    engine: Engine,
    rule_spec: Any,
    since: datetime | None,
    until: datetime | None = None,
    limit_samples: int = 20,
    *,
    rule_id: int | None = None,
    alongside_saved: bool = False,
) -> RuleTestResult:
    """What a (possibly unsaved) rule would have done to the stored posts created
    in [since, until): every post is evaluated with ``decide``, exactly as the
    route stage does, from its stored enrichments and query matches, with
    time-of-day conditions read at the post's created_at.

    ``alongside_saved``: evaluate it among the saved rules (replacing ``rule_id``
    in its place, else last), so the team counts show who would really own the
    posts it fires on; otherwise the rule alone. Raises RuleError."""
    started = time.perf_counter()
    result = RuleTestResult(since=since, until=until)
    with engine.connect() as conn:
        spec, _ = validate(conn, rule_spec)
        directory = load_directory(conn)
        tested = compile_rule(spec, directory, id=rule_id or 0, strict=True)
        rules = [tested]
        if alongside_saved:
            saved = load_rules(conn, directory)
            place = next((r.position for r in saved if r.id == rule_id), None)
            if place is None:
                place = max((r.position for r in saved), default=0) + 1
            rules = [r for r in saved if r.id != rule_id] + [replace(tested, position=place)]
        ids = _window_ids(conn, since, until)
        if len(ids) > TEST_MAX_POSTS:
            ids, result.capped = ids[:TEST_MAX_POSTS], True
        _evaluate(conn, rules, tested.id, ids, directory, result, limit_samples)
    result.seconds = time.perf_counter() - started
    return result


def _window_ids(conn: Connection, since: datetime | None, until: datetime | None) -> list[int]:
    query = select(posts.c.id).where(posts.c.deleted_at.is_(None))
    if since is not None:
        query = query.where(posts.c.created_at >= since)
    if until is not None:
        query = query.where(posts.c.created_at < until)
    return list(
        conn.execute(query.order_by(posts.c.created_at.desc(), posts.c.id.desc())).scalars()
    )


def _evaluate(
    conn: Connection,
    rules: list[Rule],
    tested_id: int,
    ids: list[int],
    directory: Directory,
    result: RuleTestResult,
    limit_samples: int,
) -> None:
    per_team: Counter[str] = Counter()
    priorities: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for start in range(0, len(ids), TEST_CHUNK):
        for inp in routing_inputs(conn, ids[start : start + TEST_CHUNK]):
            result.evaluated += 1
            matched = bool(inp.query_ids)
            result.evaluated_matched += matched
            decision = decide(rules, inp)
            if tested_id not in decision.rule_ids:
                continue
            result.fired += 1
            result.fired_matched += matched
            per_team[directory.slug(decision.team_id) or ""] += 1
            if decision.priority:
                priorities[decision.priority] += 1
            tags.update(decision.tags)
            result.spam += decision.close_as_spam
            if len(result.samples) < limit_samples:
                result.samples.append(RuleTestSample(inp.post, decision, sorted(inp.query_ids)))
    result.per_team = per_team.most_common()
    result.priorities = dict(priorities.most_common())
    result.tags = dict(tags.most_common())


test_rule.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported
