"""The route stage's write: stored posts into conversations, new conversations
routed by the rules. One transaction per batch, idempotent on the post id (a
post is in at most one conversation, ``conversation_posts``' primary key), so
a redelivered batch adds nothing twice.

Re-exported by ``hubbub.actions.conversations`` (``route_posts``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, tuple_

from hubbub.actions import audit
from hubbub.actions.notifications import notify
from hubbub.actions.sla import DueTimes
from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, ConversationOpened, ConversationUpdated, Event
from hubbub.inbox.contacts import author_key, upsert_contacts
from hubbub.inbox.routing import RoutingDecision, RoutingInput, Rule, decide, load_rules
from hubbub.inbox.routing import pick_assignee as pick
from hubbub.inbox.threading import LOCAL_REPLY_IDS, Placement, Ref, own_refs, parent_refs, plan
from hubbub.inbox.threading import subject_of as subject_for
from hubbub.inbox.threading import thread_key as key_of
from hubbub.people.principal import Principal
from hubbub.post import Post, as_utc, utcnow
from hubbub.store.bulk import insert_new
from hubbub.store.posts import dialect_insert, load_posts
from hubbub.store.tables import conversation_posts, conversations, posts, replies

# a new inbound post wakes these up (a spam conversation stays closed)
REOPEN_FROM = ("pending", "snoozed", "resolved")
_CHUNK = 500


@dataclass
class RouteResult:
    opened: list[int] = field(default_factory=list)  # conversation ids
    joined: list[int] = field(default_factory=list)  # conversations that got posts
    reopened: list[int] = field(default_factory=list)
    posts_added: int = 0
    skipped: int = 0  # already in a conversation, deleted, or placed nowhere
    events: list[Event] = field(default_factory=list)


def route_posts(
    engine: Engine,
    post_ids: Sequence[int],
    matched: Mapping[int, Sequence[int]],
    bus: Bus | None = None,
) -> RouteResult:
    """Put stored posts into conversations (``matched``: post id -> the
    listening queries it matched); events are published after the commit."""
    with engine.begin() as conn:
        result = route_posts_in(conn, post_ids, matched, utcnow())
    publish(bus, result.events)
    return result


def publish(bus: Bus | None, events: Iterable[Event]) -> None:
    if bus is not None:
        for event in events:
            bus.publish(EVENTS_SUBJECT, event.to_message())


def route_posts_in(
    conn: Connection,
    post_ids: Sequence[int],
    matched: Mapping[int, Sequence[int]],
    now: datetime,
) -> RouteResult:
    """route_posts inside the caller's transaction (the route worker claims
    its message in the same one)."""
    result = RouteResult()
    ids = sorted(set(post_ids))
    candidates = _unplaced_posts(conn, ids)
    result.skipped = len(ids) - len(candidates)
    if not candidates:
        return result
    by_thread = _conversations_by_thread(conn, {(p.platform, key_of(p)) for p in candidates})
    by_post = _conversations_by_post(conn, {r for p in candidates for r in parent_refs(p)})
    ours = _our_replies(conn, candidates)
    placements = plan(candidates, matched, ours, by_thread, by_post)
    result.skipped += len(candidates) - len(placements)
    if not placements:
        return result
    placed_ids = [pl.post.id or 0 for pl in placements]
    full = {p.id: p for p in load_posts(conn, placed_ids, with_enrichments=True)}
    placed = [(full[pl.post.id], pl) for pl in placements if pl.post.id in full]
    # every author once, in one statement (our own replies make no contact)
    contact_ids = upsert_contacts(conn, [post for post, _ in placed if post.id not in ours], now)
    openers = [(post, pl) for post, pl in placed if pl.action == "open"]
    opened_by = _open_all(conn, openers, matched, now, _Router(conn, now), contact_ids)
    touched: dict[int, None] = {}
    for post, placement in placed:
        cid: int | None = placement.conversation_id
        if placement.action == "open":
            cid, routed = opened_by[post.id or 0]
            if routed is not None:
                result.opened.append(cid)
                result.posts_added += 1
                result.events.append(_opened_event(cid, post, routed))
                continue
        elif cid is None and placement.opened_by in opened_by:
            cid = opened_by[placement.opened_by][0]
        if cid is None:  # its opener vanished meanwhile (deleted): a later post may place it
            continue
        if _join(conn, cid, post, post.id in ours, now, result):
            result.posts_added += 1
            touched[cid] = None
    opened_now = set(result.opened)
    result.joined = [c for c in touched if c not in opened_now]
    result.events += [
        ConversationUpdated(conversation_id=c, fields=["posts"], actor="hubbub")
        for c in result.joined
    ]
    return result


# -- lookups -----------------------------------------------------------------------


def _unplaced_posts(conn: Connection, ids: list[int]) -> list[Post]:
    """The posts (threading fields only) not deleted and in no conversation yet."""
    out: list[Post] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = conn.execute(
            select(
                posts.c.id,
                posts.c.platform,
                posts.c.external_id,
                posts.c.thread_root,
                posts.c.reply_to,
                posts.c.created_at,
                posts.c.raw,
            )
            .outerjoin(conversation_posts, conversation_posts.c.post_id == posts.c.id)
            .where(
                posts.c.id.in_(chunk),
                posts.c.deleted_at.is_(None),
                conversation_posts.c.post_id.is_(None),
            )
        )
        out += [
            Post(
                id=r.id,
                platform=r.platform,
                external_id=r.external_id,
                text="",
                thread_root=r.thread_root,
                reply_to=r.reply_to,
                created_at=as_utc(r.created_at),
                # Mastodon's instance-local id, which its replies name
                raw={"id": r.raw["id"]} if isinstance(r.raw, dict) and "id" in r.raw else None,
            )
            for r in rows
        ]
    return out


def _by_platform(refs: Iterable[Ref]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for platform, ref in sorted(set(refs)):
        grouped[platform].append(ref)
    return grouped


def _conversations_by_thread(conn: Connection, keys: set[Ref]) -> dict[Ref, int]:
    found: dict[Ref, int] = {}
    for platform, refs in _by_platform(keys).items():
        for start in range(0, len(refs), _CHUNK):
            rows = conn.execute(
                select(conversations.c.id, conversations.c.thread_key).where(
                    conversations.c.platform == platform,
                    conversations.c.thread_key.in_(refs[start : start + _CHUNK]),
                )
            )
            found.update(((platform, r.thread_key), r.id) for r in rows)
    return found


def _conversations_by_post(conn: Connection, refs: set[Ref]) -> dict[Ref, int]:
    """The conversations the posts named by ``refs`` are in: by external id,
    and on Mastodon by the instance-local id its replies use."""
    found: dict[Ref, int] = {}
    for platform, names in _by_platform(refs).items():
        for start in range(0, len(names), _CHUNK):
            chunk = names[start : start + _CHUNK]
            base = select(conversation_posts.c.conversation_id, posts.c.external_id).join(
                posts, posts.c.id == conversation_posts.c.post_id
            )
            rows = conn.execute(
                base.where(posts.c.platform == platform, posts.c.external_id.in_(chunk))
            )
            found.update(((platform, r.external_id), r.conversation_id) for r in rows)
            if platform in LOCAL_REPLY_IDS:
                local = posts.c.raw["id"].as_string()
                rows = conn.execute(
                    select(conversation_posts.c.conversation_id, local.label("local_id"))
                    .join(posts, posts.c.id == conversation_posts.c.post_id)
                    .where(posts.c.platform == platform, local.in_(chunk))
                )
                found.update(((platform, r.local_id), r.conversation_id) for r in rows)
    return found


def _our_replies(conn: Connection, candidates: list[Post]) -> set[int]:
    """Which of the posts are replies Hubbub sent (they come back through the
    connectors like anyone's)."""
    by_ref = {ref: p.id or 0 for p in candidates for ref in own_refs(p)}
    ours: set[int] = set()
    refs = list(by_ref)
    for start in range(0, len(refs), _CHUNK):
        rows = conn.execute(
            select(replies.c.platform, replies.c.external_id).where(
                tuple_(replies.c.platform, replies.c.external_id).in_(refs[start : start + _CHUNK])
            )
        )
        ours.update(by_ref[(r.platform, r.external_id)] for r in rows)
    return ours


# -- writes ------------------------------------------------------------------------


class _Router:
    """The rules, loaded once per batch and only if a conversation opens."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self._rules: list[Rule] | None = None

    def decide(self, post: Post, query_ids: Sequence[int]) -> RoutingDecision:
        if self._rules is None:
            self._rules = load_rules(self.conn)
        return decide(self._rules, RoutingInput(post=post, query_ids=set(query_ids), now=self.now))


def _opened_event(cid: int, post: Post, routed: dict[str, Any]) -> ConversationOpened:
    return ConversationOpened(
        conversation_id=cid,
        post_id=post.id or 0,
        team_id=routed["team_id"],
        assignee_id=routed["assignee_id"],
        priority=routed["priority"],
        spam=routed["spam"],
    )


def _open_all(
    conn: Connection,
    openers: Sequence[tuple[Post, Placement]],
    matched: Mapping[int, Sequence[int]],
    now: datetime,
    router: _Router,
    contact_ids: Mapping[tuple[str, str], int],
) -> dict[int, tuple[int, dict[str, Any] | None]]:
    """Open the conversations of the posts' threads, routed by the rules, in a
    few statements for the whole batch: post id -> (conversation id, what
    routing set). A thread another worker opened meanwhile maps to (that
    conversation, None), and its post joins it instead."""
    if not openers:
        return {}
    due_times = DueTimes(conn)
    decisions: dict[int, RoutingDecision] = {}
    routed_by_post: dict[int, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for post, placement in openers:
        decision = router.decide(post, matched.get(post.id or 0, ()))
        spam = decision.close_as_spam
        routed: dict[str, Any] = {
            "team_id": decision.team_id,
            "assignee_id": None if spam else decision.assignee_id,
            "priority": decision.priority or "normal",
            "tags": list(decision.tags),
            "spam": spam,
            "routed_by_rule_id": decision.team_rule_id
            or (decision.rule_ids[0] if decision.rule_ids else None),
        }
        # closed at once as spam: no owner, no clock, nobody told
        first_due, resolution_due = (
            (None, None) if spam else due_times(decision.team_id, routed["priority"], now)
        )
        at = post.created_at or now
        key = author_key(post)
        decisions[post.id or 0] = decision
        routed_by_post[post.id or 0] = routed
        rows.append(
            {
                "platform": post.platform,
                "thread_key": placement.thread_key[:500],
                "root_post_id": post.id,
                "contact_id": contact_ids.get((post.platform, key[:500])) if key else None,
                "subject": subject_for(post),
                "status": "resolved" if spam else "open",
                "resolved_at": now if spam else None,
                "post_count": 1,
                "opened_at": now,
                "last_activity_at": at,
                "last_inbound_at": at,
                "updated_at": now,
                "first_response_due_at": first_due,
                "resolution_due_at": resolution_due,
                "first_response_breached": False,
                "resolution_breached": False,
                **routed,
            }
        )
    # in key order: concurrent workers opening overlapping threads wait, not deadlock
    rows.sort(key=lambda r: (r["platform"], r["thread_key"]))
    inserted = insert_new(
        conn,
        conversations,
        rows,
        conflict=["platform", "thread_key"],
        returning=[conversations.c.id, conversations.c.platform, conversations.c.thread_key],
    )
    new_ids: dict[Ref, int] = {(r.platform, r.thread_key): int(r.id) for r in inserted}
    raced = {(p.platform, pl.thread_key[:500]) for p, pl in openers} - set(new_ids)
    existing = _conversations_by_thread(conn, raced) if raced else {}
    out: dict[int, tuple[int, dict[str, Any] | None]] = {}
    links: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for post, placement in openers:
        pid = post.id or 0
        ref = (post.platform, placement.thread_key[:500])
        if ref not in new_ids:
            out[pid] = (existing[ref], None)
            continue
        cid, routed, decision = new_ids[ref], routed_by_post[pid], decisions[pid]
        out[pid] = (cid, routed)
        links.append({"post_id": pid, "conversation_id": cid, "added_at": now})
        if not routed["spam"]:
            routed["assignee_id"] = _follow_up(conn, cid, post, decision, now)
        rule = routed["routed_by_rule_id"]
        entries.append(
            audit.entry(
                Principal.system(f"rule {rule}" if rule else "hubbub"),
                "conversation.open",
                "conversation",
                cid,
                after={
                    "post_id": pid,
                    "thread_key": ref[1],
                    **routed,
                    "rule_ids": decision.rule_ids,
                },
                at=now,
            )
        )
    if links:
        conn.execute(dialect_insert(conn, conversation_posts).on_conflict_do_nothing(), links)
    audit.record_many(conn, entries)
    return out


def _follow_up(
    conn: Connection, cid: int, post: Post, decision: RoutingDecision, now: datetime
) -> int | None:
    """A routed conversation's assignee (a fixed one was stored as it opened;
    one from the team is picked only now that it surely opened, so round-robin
    advances only then) and notifications; the assignee."""
    assignee = decision.assignee_id
    if assignee is None and decision.assign_strategy and decision.team_id is not None:
        assignee = pick(conn, decision.team_id, decision.assign_strategy)
        if assignee is not None:
            conn.execute(
                conversations.update().where(conversations.c.id == cid).values(assignee_id=assignee)
            )
    subject = subject_for(post, 80)
    if assignee is not None:
        notify(
            conn,
            [assignee],
            "assignment",
            f"New conversation assigned to you: {subject}",
            conversation_id=cid,
            dedupe_key=f"assigned:{cid}",
            at=now,
        )
    others = [u for u in decision.notify_user_ids if u != assignee]
    if others:
        notify(
            conn,
            others,
            "rule",
            f"New conversation: {subject}",
            conversation_id=cid,
            dedupe_key=f"rule:{cid}",
            at=now,
        )
    return assignee


def _join(
    conn: Connection, cid: int, post: Post, ours: bool, now: datetime, result: RouteResult
) -> bool:
    """Add the post to the conversation; False if it is in one already (a
    concurrent route of the same post)."""
    added = conn.execute(
        dialect_insert(conn, conversation_posts)
        .values(post_id=post.id, conversation_id=cid, added_at=now)
        .on_conflict_do_nothing()
        .returning(conversation_posts.c.post_id)
    ).scalar()
    if added is None:
        return False
    row = (
        conn.execute(select(conversations).where(conversations.c.id == cid).with_for_update())
        .mappings()
        .one()
    )
    at = post.created_at or now
    values: dict[str, Any] = {"post_count": row["post_count"] + 1, "updated_at": now}
    last = as_utc(row["last_activity_at"])
    if last is None or at > last:
        values["last_activity_at"] = at
    if not ours:  # its author's contact was refreshed with the batch's
        inbound = as_utc(row["last_inbound_at"])
        if inbound is None or at > inbound:
            values["last_inbound_at"] = at
        if row["status"] in REOPEN_FROM and not row["spam"]:
            values.update(status="open", snoozed_until=None, resolved_at=None)
            audit.record(
                conn,
                Principal.system("hubbub"),
                "conversation.reopen",
                "conversation",
                cid,
                before={"status": row["status"]},
                after={"status": "open", "post_id": post.id},
                at=now,
            )
            result.reopened.append(cid)
            result.events.append(
                ConversationUpdated(conversation_id=cid, fields=["status"], actor="hubbub")
            )
    conn.execute(conversations.update().where(conversations.c.id == cid).values(**values))
    return True
