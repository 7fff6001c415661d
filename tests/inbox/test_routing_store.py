"""Routing rules in the store (SQLite and PostgreSQL): the shipped defaults,
rule changes through actions (validated, audited, permission-checked),
assignment pickers, and dry runs that agree with real routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from hubbub.actions import conversations as convo
from hubbub.actions import people
from hubbub.actions import routing as actions
from hubbub.actions.queries import create_query
from hubbub.config import Settings
from hubbub.inbox.routing import load_rules, pick_assignee
from hubbub.inbox.routing.defaults import DEFAULT_RULES
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post
from hubbub.store.tables import audit_log, conversations, matches, routing_rules, teams
from interfaces.seed import team_id

ADMIN = Principal.system("test admin")
NOW = datetime.now(UTC)


def audit_actions(engine: Engine, object_type: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_log.c.action)
                .where(audit_log.c.object_type == object_type)
                .order_by(audit_log.c.id)
            ).scalars()
        )


# --- defaults -------------------------------------------------------------------------


def test_default_routing_is_created_once_and_respects_deletions(engine: Engine) -> None:
    first = actions.ensure_default_routing(engine)
    assert first.teams_created == ["customer-service", "sales", "product", "pr", "hr"]
    assert first.rules_created == [r["name"] for r in DEFAULT_RULES]
    again = actions.ensure_default_routing(engine)
    assert (again.teams_created, again.rules_created) == ([], [])
    with engine.connect() as conn:
        rules = load_rules(conn)
        assert [r.position for r in rules] == list(range(1, len(DEFAULT_RULES) + 1))
        assert all(r.builtin and r.enabled for r in rules)
        assert conn.execute(select(func.count()).select_from(teams)).scalar() == 5
    assert rules[0].team_id == team_id(engine, "pr") and rules[0].priority == "high"
    # a person deletes a default rule: a restart does not bring it back, restore does
    hr_rule = rules[-1]
    actions.delete_rule(engine, ADMIN, hr_rule.id)
    assert actions.ensure_default_routing(engine).rules_created == []
    assert actions.ensure_default_routing(engine, restore=True).rules_created == [hr_rule.name]
    assert audit_actions(engine, "team").count("team.create") == 5
    assert audit_actions(engine, "routing_rule").count("rule.create") == len(DEFAULT_RULES) + 1


# --- rule changes -----------------------------------------------------------------------


def spec(name: str = "VIP", **kw: Any) -> dict[str, Any]:
    return {
        "name": name,
        "conditions": kw.pop("conditions", {"all": [{"type": "author_reach", "min_followers": 5000}]}),
        "actions": kw.pop("actions", [{"type": "assign_team", "team": "pr"}]),
        **kw,
    }  # fmt: skip


def test_rules_are_created_updated_reordered_and_deleted_with_audit(engine: Engine) -> None:
    actions.ensure_default_routing(engine)
    first = actions.create_rule(engine, ADMIN, spec("VIP"), position=1)
    last = actions.create_rule(engine, ADMIN, spec("Night shift", conditions={"all": [
        {"type": "time_of_day", "start": "22:00", "end": "06:00", "timezone": "Europe/Berlin"}]}))  # fmt: skip
    with engine.connect() as conn:
        order = [r.id for r in load_rules(conn)]
    assert order[0] == first and order[-1] == last and len(order) == len(DEFAULT_RULES) + 2

    actions.update_rule(engine, ADMIN, first, spec("VIP customers", stop=True))
    actions.set_rule_enabled(engine, ADMIN, last, False)
    actions.move_rule(engine, ADMIN, last, -1)
    with engine.connect() as conn:
        rules = {r.id: r for r in load_rules(conn)}
        order = [r.id for r in load_rules(conn)]
    assert (rules[first].name, rules[first].stop, rules[first].position) == (
        "VIP customers",
        True,
        1,
    )
    assert not rules[last].enabled
    assert order[-2] == last

    actions.reorder_rules(engine, ADMIN, list(reversed(order)))
    with engine.connect() as conn:
        assert [r.id for r in load_rules(conn)] == list(reversed(order))
    actions.delete_rule(engine, ADMIN, first)
    with pytest.raises(actions.RuleNotFound):
        actions.delete_rule(engine, ADMIN, first)
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.object_id, audit_log.c.before, audit_log.c.after)
            .where(audit_log.c.actor == "test admin")
            .order_by(audit_log.c.id)
        ).all()
    assert [r.action for r in rows] == [
        "rule.create", "rule.create", "rule.update", "rule.update",
        "rule.reorder", "rule.reorder", "rule.delete",
    ]  # fmt: skip
    update = rows[2]
    assert update.before["name"] == "VIP" and update.after["name"] == "VIP customers"
    assert rows[-1].before["name"] == "VIP customers" and rows[-1].object_id == str(first)


def test_rule_changes_are_validated_against_the_workspace(engine: Engine) -> None:
    actions.ensure_default_routing(engine)
    cases = [
        (spec(actions=[{"type": "assign_team", "team": "legal"}]), "actions[0].team: no team 'legal'"),
        (spec(actions=[{"type": "notify", "user_ids": [999]}]), "actions[0].user_ids: no active user 999"),
        (spec(actions=[{"type": "assign_person", "user_id": 999}]), "actions[0].user_id: no active user 999"),
        (spec(conditions={"any": [{"not": {"type": "query", "ids": [42]}}]}), "conditions.any[0].not.ids: no listening query 42"),
        (spec(conditions={"all": [{"type": "intent", "labels": ["rant"]}]}), "conditions.all[0].labels: unknown intent 'rant'"),
    ]  # fmt: skip
    for bad, message in cases:
        with pytest.raises(actions.RuleError) as caught:
            actions.create_rule(engine, ADMIN, bad)
        assert str(caught.value).startswith(message)
    actions.create_rule(engine, ADMIN, spec("VIP"))
    with pytest.raises(actions.DuplicateRuleName):
        actions.create_rule(engine, ADMIN, spec("VIP"))
    with pytest.raises(actions.RuleError, match="rule_ids: list every rule exactly once"):
        actions.reorder_rules(engine, ADMIN, [1, 2])


def test_only_managers_and_admins_change_rules(engine: Engine) -> None:
    actions.ensure_default_routing(engine)
    agent = Principal(label="agent@example.com", role="agent", user_id=7)
    manager = Principal(label="lead@example.com", role="manager", user_id=8)
    scoped = Principal(label="token ro", role="admin", scopes=frozenset({"rules:read"}))
    for who in (agent, scoped):
        with pytest.raises(PermissionDenied):
            actions.create_rule(engine, who, spec())
        with pytest.raises(PermissionDenied):
            actions.reorder_rules(engine, who, [])
    rule_id = actions.create_rule(engine, manager, spec())
    with pytest.raises(PermissionDenied):
        actions.delete_rule(engine, agent, rule_id)
    actions.delete_rule(engine, manager, rule_id)


# --- assignment pickers -------------------------------------------------------------------


def make_people(engine: Engine, n: int, team: str) -> list[int]:
    return [
        people.create_user(
            engine, ADMIN, f"agent{i}@example.com", f"Agent {i}", "agent", team_slugs=[team]
        )
        for i in range(n)
    ]


def test_round_robin_skips_unavailable_and_inactive_people_and_remembers(engine: Engine) -> None:
    actions.ensure_default_routing(engine)
    cs = team_id(engine, "customer-service")
    a, b, c, d = make_people(engine, 4, "customer-service")
    people.set_available(engine, ADMIN, b, False)
    people.deactivate(engine, ADMIN, d)
    picked = []
    for _ in range(5):
        with engine.begin() as conn:
            picked.append(pick_assignee(conn, cs, "round_robin"))
    assert picked == [a, c, a, c, a]
    with engine.connect() as conn:
        assert (
            conn.execute(select(teams.c.last_assigned_user_id).where(teams.c.id == cs)).scalar()
            == a
        )
    people.set_available(engine, ADMIN, b, True)  # back from holiday: next after a
    hr = team_id(engine, "hr")
    with engine.begin() as conn:
        assert pick_assignee(conn, cs, "round_robin") == b
        assert pick_assignee(conn, hr, "round_robin") is None  # nobody in the team
        assert pick_assignee(conn, hr, "least_loaded") is None
        with pytest.raises(ValueError, match="unknown assignment strategy"):
            pick_assignee(conn, cs, "random")


# --- posts through the real pipeline ---------------------------------------------------------


def mastodon(n: int, text: str, days_ago: float | None = None, followers: int = 120) -> Post:
    """Post ``n``: the lower ``n``, the newer."""
    return Post(
        platform="mastodon",
        external_id=f"https://social.example/users/u{n}/statuses/{1000 + n}",
        url=f"https://social.example/@u{n}/{1000 + n}",
        text=text,
        author_handle=f"u{n}@social.example",
        author_name=f"User {n}",
        author_followers=followers,
        created_at=NOW - timedelta(days=0.5 + n / 100 if days_ago is None else days_ago),
    )


POSTS = [
    mastodon(1, "@acme I want a refund, worst service I've had"),  # customer service
    mastodon(2, "@acme what's your pricing for 200 seats? Can we get a demo?"),  # sales
    mastodon(3, "@acme please add dark mode to the desktop app"),  # product
    mastodon(4, "@acme the app crashed again after the update"),  # customer service + bug
    mastodon(5, "Is @acme hiring? Saw a job on Glassdoor"),  # HR
    mastodon(6, "@acme free followers and an airdrop, link in bio"),  # spam
    mastodon(7, "@acme is the worst. Terrible outage, furious and sad.", followers=80_000),  # PR
    mastodon(8, "@acme nice weather for a launch"),  # nobody
    mastodon(9, "@acme refund please", days_ago=40),  # outside a 7-day window
    mastodon(10, "I want a refund from the other shop"),  # matches no query
]


@pytest.fixture
def stored(engine: Engine, settings: Settings) -> dict[str, Any]:
    actions.ensure_default_routing(engine)
    ids = Pipeline(engine, settings).ingest_posts(POSTS).post_ids
    query_id = create_query(engine, "Acme", "acme OR @acme")
    with engine.connect() as conn:
        matched: dict[int, list[int]] = {}
        for m in conn.execute(select(matches.c.post_id, matches.c.query_id)):
            matched.setdefault(m.post_id, []).append(m.query_id)
    return {"ids": ids, "query_id": query_id, "matched": matched}


def test_a_dry_run_counts_the_window_and_shows_samples(
    engine: Engine, stored: dict[str, Any]
) -> None:
    with engine.connect() as conn:
        cs_rule = next(r for r in load_rules(conn) if r.name.startswith("Complaints"))
    result = actions.test_rule(engine, cs_rule.spec.to_json(), NOW - timedelta(days=7))
    assert result.evaluated == 9 and result.evaluated_matched == 8
    # refund (1), crashed (4), worst/terrible (7), and the unmatched refund (10)
    assert result.fired == 4 and result.fired_matched == 3
    assert result.per_team == [("customer-service", 4)]
    assert result.tags == {}
    # newest first
    assert [s.post.external_id for s in result.samples] == [
        POSTS[i].external_id for i in (0, 3, 6, 9)
    ]
    assert (
        result.samples[0].query_ids == [stored["query_id"]] and result.samples[-1].query_ids == []
    )
    everything = actions.test_rule(engine, cs_rule.spec.to_json(), None, limit_samples=1)
    assert (everything.evaluated, everything.fired, len(everything.samples)) == (10, 5, 1)
    query_rule = {"name": "t", "conditions": {"all": [{"type": "query", "ids": [stored["query_id"]]}]},
                  "actions": [{"type": "add_tags", "tags": ["acme"]}]}  # fmt: skip
    assert actions.test_rule(engine, query_rule, None).fired == 9
    with pytest.raises(actions.RuleError, match=r"conditions\.all\[0\]\.type"):
        actions.test_rule(engine, {"name": "t", "conditions": {"all": [{"type": "x"}]},
                                   "actions": [{"type": "close_as_spam"}]}, None)  # fmt: skip


def test_a_dry_run_among_saved_rules_agrees_with_routing(
    engine: Engine, stored: dict[str, Any]
) -> None:
    """Route the posts for real, then dry-run a probe rule placed after the
    saved rules: the teams, tags and spam it reports are the conversations'."""
    convo.route_posts(engine, stored["ids"], stored["matched"])
    probe = {"name": "probe", "conditions": {"all": [{"type": "query", "ids": [stored["query_id"]]}]},
             "actions": [{"type": "add_tags", "tags": ["probe"]}]}  # fmt: skip
    result = actions.test_rule(engine, probe, None, alongside_saved=True)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                teams.c.slug, conversations.c.tags, conversations.c.spam, conversations.c.priority
            ).select_from(conversations.outerjoin(teams, teams.c.id == conversations.c.team_id))
        ).all()
        spam_rule = next(r for r in load_rules(conn) if r.name.startswith("Spam"))
    routed = [r for r in rows if not r.spam]
    assert len(rows) == 9 and len(routed) == 8
    by_team: dict[str, int] = {}
    for r in routed:
        by_team[r.slug or ""] = by_team.get(r.slug or "", 0) + 1
    assert dict(result.per_team) == by_team
    assert by_team == {"customer-service": 3, "sales": 1, "product": 1, "hr": 1, "pr": 1, "": 1}
    tags: dict[str, int] = {}
    for r in routed:
        for t in r.tags:
            tags[t] = tags.get(t, 0) + 1
    assert {t: n for t, n in result.tags.items() if t != "probe"} == tags
    assert result.priorities == {"high": sum(r.priority == "high" for r in routed)} == {"high": 1}
    # the spam rule stops evaluation: the probe never fires there; test it in its place
    spam = actions.test_rule(engine, spam_rule.spec.to_json(), None, rule_id=spam_rule.id,
                             alongside_saved=True)  # fmt: skip
    assert spam.spam == spam.fired_matched == sum(r.spam for r in rows) == 1


def test_least_loaded_counts_open_and_pending_conversations(
    engine: Engine, stored: dict[str, Any]
) -> None:
    convo.route_posts(engine, stored["ids"], stored["matched"])
    cs = team_id(engine, "customer-service")
    a, b, c = make_people(engine, 3, "customer-service")
    with engine.connect() as conn:
        cids = list(
            conn.execute(
                select(conversations.c.id)
                .where(conversations.c.team_id == cs)
                .order_by(conversations.c.id)
            ).scalars()
        )
    assert len(cids) == 3
    for cid, who in zip(cids, (a, a, b), strict=True):
        convo.assign(engine, ADMIN, cid, team_id=cs, assignee_id=who)

    def least() -> int | None:
        with engine.begin() as conn:
            return pick_assignee(conn, cs, "least_loaded")

    assert least() == c
    people.set_available(engine, ADMIN, c, False)
    assert least() == b  # one against two
    convo.set_status(engine, ADMIN, cids[0], "pending")  # pending still counts
    assert least() == b
    convo.set_status(engine, ADMIN, cids[0], "resolved")
    convo.set_status(engine, ADMIN, cids[1], "resolved")
    assert least() == a  # a tie at zero: the lower id


def test_a_rule_row_that_no_longer_validates_is_skipped(engine: Engine) -> None:
    actions.ensure_default_routing(engine)
    with engine.begin() as conn:
        conn.execute(
            routing_rules.update()
            .where(routing_rules.c.position == 1)
            .values(conditions={"all": [{"type": "mood"}]})
        )
        assert len(load_rules(conn)) == len(DEFAULT_RULES) - 1
