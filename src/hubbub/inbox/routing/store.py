"""Reading rules, teams and stored posts for routing, and choosing a person.

Everything here takes a Connection so it runs inside the caller's transaction
(the route stage routes a batch in one)."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Connection,
    Integer,
    any_,
    func,
    literal,
    literal_column,
    select,
    update,
)

from hubbub.inbox.routing.describe import describe
from hubbub.inbox.routing.evaluate import Directory, RoutingInput, Rule, compile_rule
from hubbub.inbox.routing.model import RuleError, RuleSpec, parse_spec
from hubbub.post import Post
from hubbub.store.tables import (
    conversations,
    enrichments,
    listening_queries,
    matches,
    posts,
    routing_rules,
    team_members,
    teams,
    users,
)

log = logging.getLogger(__name__)

# enrichers conditions read beyond the post row (which holds the sentiment)
ROUTING_ENRICHERS = ("intents", "language")
OPEN_STATUSES = ("open", "pending")


def load_directory(conn: Connection) -> Directory:
    team_ids = {r.slug: r.id for r in conn.execute(select(teams.c.id, teams.c.slug))}
    members: dict[int, list[int]] = defaultdict(list)
    rows = conn.execute(
        select(team_members.c.team_id, team_members.c.user_id)
        .join(users, users.c.id == team_members.c.user_id)
        .where(users.c.active.is_(True))
        .order_by(team_members.c.team_id, team_members.c.user_id)
    )
    for row in rows:
        members[row.team_id].append(row.user_id)
    return Directory(team_ids=team_ids, members={t: tuple(u) for t, u in members.items()})


def rule_from_row(row: Any, directory: Directory) -> Rule:
    spec = _spec_of(row)
    return compile_rule(
        spec, directory, id=row.id, position=row.position, builtin=row.builtin, strict=False
    )


def load_rules(conn: Connection, directory: Directory | None = None) -> list[Rule]:
    """Every stored rule (disabled ones too: ``decide`` skips them), in position
    order. A row that no longer validates is logged and left out, so one bad
    rule never stops routing."""
    directory = directory or load_directory(conn)
    out: list[Rule] = []
    rows = conn.execute(
        select(routing_rules).order_by(routing_rules.c.position, routing_rules.c.id)
    )
    for row in rows:
        try:
            out.append(rule_from_row(row, directory))
        except RuleError as err:
            log.warning("routing rule %s (%s) skipped: %s", row.id, row.name, err)
    return out


def available_members(conn: Connection, team_id: int) -> list[int]:
    """Active members who take new work, by user id."""
    return list(
        conn.execute(
            select(users.c.id)
            .join(team_members, team_members.c.user_id == users.c.id)
            .where(
                team_members.c.team_id == team_id,
                users.c.active.is_(True),
                users.c.available.is_(True),
            )
            .order_by(users.c.id)
        ).scalars()
    )


def pick_assignee(conn: Connection, team_id: int, strategy: str) -> int | None:
    """Someone in the team to assign, or None when nobody is available.

    round_robin: the next member after ``teams.last_assigned_user_id`` by id,
    wrapping, and remembered (the team row is locked on PostgreSQL so two
    workers never hand out the same turn). least_loaded: the member with the
    fewest open or pending conversations assigned, ties to the lowest id."""
    if strategy == "round_robin":
        last = conn.execute(
            select(teams.c.last_assigned_user_id).where(teams.c.id == team_id).with_for_update()
        ).scalar()
        members = available_members(conn, team_id)
        if not members:
            return None
        chosen = next((m for m in members if last is None or m > last), members[0])
        conn.execute(
            update(teams).where(teams.c.id == team_id).values(last_assigned_user_id=chosen)
        )
        return chosen
    if strategy == "least_loaded":
        members = available_members(conn, team_id)
        if not members:
            return None
        load: dict[int, int] = dict(
            conn.execute(
                select(conversations.c.assignee_id, func.count())
                .where(
                    conversations.c.assignee_id.in_(members),
                    conversations.c.status.in_(OPEN_STATUSES),
                )
                .group_by(conversations.c.assignee_id)
            ).all()
        )
        return min(members, key=lambda m: (load.get(m, 0), m))
    raise ValueError(f"unknown assignment strategy {strategy!r} (round_robin, least_loaded)")


# columns conditions read, so a dry run over many posts loads little
INPUT_COLUMNS = (
    posts.c.id,
    posts.c.platform,
    posts.c.external_id,
    posts.c.url,
    posts.c.title,
    posts.c.text,
    posts.c.author_handle,
    posts.c.author_name,
    posts.c.author_followers,
    posts.c.language,
    posts.c.created_at,
    posts.c.reply_to,
    posts.c.thread_root,
    posts.c.sentiment_label,
    posts.c.sentiment_score,
)


def id_in(conn: Connection, column: Any, ids: Sequence[int]) -> Any:
    """``column IN ids`` as one bound parameter (an array on PostgreSQL, a JSON
    list on SQLite): thousands of ids compile and bind as fast as one."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(ids), ARRAY(Integer)))
    values: Any = select(literal_column("value")).select_from(
        func.json_each(literal(json.dumps(list(ids))))
    )
    return column.in_(values.scalar_subquery())


def routing_inputs(
    conn: Connection, post_ids: Sequence[int], now: datetime | None = None
) -> list[RoutingInput]:
    """Stored posts as routing sees them: enrichments from ``enrichments``, query
    matches from ``matches``, in the order of ``post_ids``. ``now`` None: each
    post's own created_at (what a dry run over history uses)."""
    if not post_ids:
        return []
    rows = {
        r[0]: r
        for r in conn.execute(select(*INPUT_COLUMNS).where(id_in(conn, posts.c.id, post_ids)))
    }
    extra: dict[int, dict[str, Any]] = defaultdict(dict)
    for e in conn.execute(
        select(enrichments.c.post_id, enrichments.c.enricher, enrichments.c.data).where(
            id_in(conn, enrichments.c.post_id, post_ids),
            enrichments.c.enricher.in_(ROUTING_ENRICHERS),
        )
    ):
        extra[e[0]][e[1]] = e[2]
    matched: dict[int, set[int]] = defaultdict(set)
    for m in conn.execute(
        select(matches.c.post_id, matches.c.query_id).where(
            id_in(conn, matches.c.post_id, post_ids)
        )
    ):
        matched[m[0]].add(m[1])
    out = []
    for post_id in post_ids:
        row = rows.get(post_id)
        if row is None:
            continue
        post = _post(row, extra.get(post_id, {}))
        assert post.created_at is not None  # NOT NULL
        out.append(
            RoutingInput(
                post=post, query_ids=matched.get(post_id, set()), now=now or post.created_at
            )
        )
    return out


def _post(row: Any, enriched: dict[str, Any]) -> Post:
    # unpacked as a tuple: far cheaper than a Row's attribute lookups, which
    # matters for a dry run over 100,000 posts
    (
        post_id, platform, external_id, url, title, text, author_handle, author_name,
        followers, language, created, reply_to, thread_root, sentiment_label, sentiment_score,
    ) = tuple(row)  # fmt: skip
    if "sentiment" not in enriched and sentiment_label:
        enriched["sentiment"] = {"label": sentiment_label, "score": sentiment_score}
    return Post(
        id=post_id,
        platform=platform,
        external_id=external_id,
        url=url,
        title=title,
        text=text,
        author_handle=author_handle,
        author_name=author_name,
        author_followers=followers,
        language=language,
        # SQLite hands back naive datetimes; everything stored is UTC
        created_at=created.replace(tzinfo=UTC) if created.tzinfo is None else created,
        reply_to=reply_to,
        thread_root=thread_root,
        enrichments=enriched,
    )


def rule_records(conn: Connection, rule_id: int | None = None) -> list[dict[str, Any]]:
    """Stored rules as plain dicts (API, CLI, web), in position order, each with
    a readable ``summary`` (or ``error`` for a row that no longer validates)."""
    query = select(routing_rules).order_by(routing_rules.c.position, routing_rules.c.id)
    if rule_id is not None:
        query = query.where(routing_rules.c.id == rule_id)
    names = dict(conn.execute(select(listening_queries.c.id, listening_queries.c.name)).all())
    out = []
    for row in conn.execute(query):
        record = dict(row._mapping)
        try:
            record["summary"], record["error"] = describe(_spec_of(row), names), None
        except RuleError as err:
            record["summary"], record["error"] = "", str(err)
        out.append(record)
    return out


def _spec_of(row: Any) -> RuleSpec:
    return parse_spec(
        {
            "name": row.name,
            "enabled": row.enabled,
            "stop": row.stop,
            "conditions": row.conditions,
            "actions": row.actions,
        }
    )
