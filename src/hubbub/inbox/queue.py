"""The inbox listing: one page of a queue's conversations, and the counts for
its tabs.

A page costs two SQL statements whatever its size or the queue's length: the
rows (conversations joined to their contact, team, assignee and root post),
and one grouped count that yields both the status tabs and the queue tabs.
Pages continue by keyset (the last row's sort key in an opaque cursor), so a
deep page is as cheap as the first.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from hubbub.enrich.intent import ENRICHER as INTENTS
from hubbub.store.tables import contacts, conversations, enrichments, posts, teams, users

PAGE_SIZE = 50
STATUSES = ("open", "pending", "snoozed", "resolved")
PRIORITIES = ("low", "normal", "high", "urgent")
SORTS = ("newest", "oldest_waiting", "priority", "sla_due")
SORT_LABELS = {
    "newest": "Newest activity",
    "oldest_waiting": "Waiting longest",
    "priority": "Priority, then waiting longest",
    "sla_due": "SLA due soonest",
}


class InvalidQueue(ValueError):
    """A queue, sort or cursor that does not parse (the interfaces answer 400)."""


@dataclass(frozen=True)
class QueueFilter:
    """Which conversations a listing shows. ``queue``: "mine", "unassigned",
    "all" or "team:<slug>"; ``status`` None means every status."""

    queue: str = "mine"
    status: str | None = "open"
    priority: str | None = None
    platform: str | None = None
    tag: str | None = None
    assignee_id: int | None = None
    sentiment: str | None = None  # of the root post
    intent: str | None = None  # of the root post
    breached: bool | None = None  # first response or resolution target missed
    spam: bool = False  # closed-as-spam conversations only show when asked for
    text: str | None = None  # in the subject or the contact's name or handle

    def __post_init__(self) -> None:
        if self.queue not in ("mine", "unassigned", "all") and not (
            self.queue.startswith("team:") and len(self.queue) > 5
        ):
            raise InvalidQueue(
                f"unknown queue {self.queue!r}: mine, unassigned, all or team:<slug>"
            )
        if self.status is not None and self.status not in STATUSES:
            raise InvalidQueue(f"unknown status {self.status!r}: one of {', '.join(STATUSES)}")
        if self.priority is not None and self.priority not in PRIORITIES:
            raise InvalidQueue(
                f"unknown priority {self.priority!r}: one of {', '.join(PRIORITIES)}"
            )


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class TeamRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class ContactRef:
    id: int
    platform: str
    handle: str | None
    name: str | None
    followers: int | None

    @property
    def display(self) -> str:
        return self.name or (f"@{self.handle}" if self.handle else "Unknown author")


@dataclass
class QueueRow:
    id: int
    subject: str
    platform: str
    status: str
    priority: str
    tags: list[str]
    spam: bool
    post_count: int
    opened_at: datetime
    last_activity_at: datetime
    last_inbound_at: datetime | None
    snoozed_until: datetime | None
    resolved_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    first_response_seconds: int | None
    resolution_seconds: int | None
    first_response_breached: bool
    resolution_breached: bool
    root_post_id: int | None
    sentiment: str | None
    intents: list[str]
    contact: ContactRef | None
    team: TeamRef | None
    assignee: Person | None

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached

    @property
    def next_due_at(self) -> datetime | None:
        """The next service-level deadline: the first response until it happened,
        then the resolution (none once resolved)."""
        if self.status == "resolved":
            return None
        if self.first_response_at is None and self.first_response_due_at is not None:
            return self.first_response_due_at
        return self.resolution_due_at


@dataclass(frozen=True)
class Tab:
    queue: str  # the QueueFilter.queue it selects
    label: str
    count: int  # conversations in it with the listing's status and filters


@dataclass
class QueuePage:
    rows: list[QueueRow]
    status_counts: dict[str, int]  # per status, in the listing's queue and filters
    tabs: list[Tab]
    next_cursor: str | None
    sort: str
    filter: QueueFilter
    teams: list[TeamRef] = field(default_factory=list)  # the teams with a tab

    @property
    def total(self) -> int:
        """Conversations in the listing (its status, or every status)."""
        if self.filter.status is None:
            return sum(self.status_counts.values())
        return self.status_counts.get(self.filter.status, 0)


# -- the listing -------------------------------------------------------------------


def list_queue(
    conn: Connection,
    flt: QueueFilter,
    *,
    user_id: int | None,
    tab_team_ids: Sequence[int] | None = None,
    sort: str = "newest",
    cursor: str | None = None,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue ``flt`` describes, for the person ``user_id`` ("mine"
    is their queue; None: nobody's, as for the workspace token). Tabs show the
    teams ``tab_team_ids`` (None: every team). Two SQL statements plus one for
    the tab teams."""
    if sort not in SORTS:
        raise InvalidQueue(f"unknown sort {sort!r}: one of {', '.join(SORTS)}")
    tab_teams = load_teams(conn, tab_team_ids)
    team_id = _queue_team_id(conn, flt.queue, tab_teams)
    keys = _sort_keys(conn, sort)
    stmt = (
        select(*_ROW_COLUMNS, *(k.expr.label(f"k{i}") for i, k in enumerate(keys)))
        .select_from(_JOINED)
        .where(*_filters(conn, flt, user_id, team_id))
        .order_by(*(k.expr.desc() if k.desc else k.expr.asc() for k in keys))
        .limit(page_size + 1)
    )
    if cursor:
        stmt = stmt.where(_after(keys, _decode_cursor(cursor, keys)))
    fetched = conn.execute(stmt).all()
    more = len(fetched) > page_size
    rows = [_to_row(r) for r in fetched[:page_size]]
    next_cursor = _encode_cursor(fetched[page_size - 1], keys) if more else None
    status_counts, tabs = _counts(conn, flt, user_id, team_id, tab_teams)
    return QueuePage(
        rows=rows,
        status_counts=status_counts,
        tabs=tabs,
        next_cursor=next_cursor,
        sort=sort,
        filter=flt,
        teams=tab_teams,
    )


def load_rows(conn: Connection, ids: Sequence[int]) -> list[QueueRow]:
    """Conversations by id as listing rows, in the order of ``ids`` (one statement)."""
    if not ids:
        return []
    stmt = select(*_ROW_COLUMNS).select_from(_JOINED).where(conversations.c.id.in_(list(ids)))
    found = {r.id: _to_row(r) for r in conn.execute(stmt)}
    return [found[i] for i in ids if i in found]


def load_teams(conn: Connection, team_ids: Sequence[int] | None = None) -> list[TeamRef]:
    """Teams by name; only ``team_ids`` when given."""
    stmt = select(teams.c.id, teams.c.slug, teams.c.name).order_by(teams.c.name)
    if team_ids is not None:
        if not team_ids:
            return []
        stmt = stmt.where(teams.c.id.in_(list(team_ids)))
    return [TeamRef(r.id, r.slug, r.name) for r in conn.execute(stmt)]


def _queue_team_id(conn: Connection, queue: str, known: Sequence[TeamRef]) -> int | None:
    if not queue.startswith("team:"):
        return None
    slug = queue[5:]
    for team in known:
        if team.slug == slug:
            return team.id
    found = conn.execute(select(teams.c.id).where(teams.c.slug == slug)).scalar()
    if found is None:
        raise InvalidQueue(f"no team {slug!r}")
    return int(found)


# -- rows --------------------------------------------------------------------------

_root = posts.alias("root")
_intents = enrichments.alias("root_intents")
_assignee = users.alias("assignee")
_JOINED = (
    conversations.outerjoin(contacts, contacts.c.id == conversations.c.contact_id)
    .outerjoin(teams, teams.c.id == conversations.c.team_id)
    .outerjoin(_assignee, _assignee.c.id == conversations.c.assignee_id)
    .outerjoin(_root, _root.c.id == conversations.c.root_post_id)
    .outerjoin(
        _intents,
        and_(_intents.c.post_id == conversations.c.root_post_id, _intents.c.enricher == INTENTS),
    )
)
_ROW_COLUMNS = [
    *conversations.c,
    contacts.c.platform.label("contact_platform"),
    contacts.c.handle.label("contact_handle"),
    contacts.c.name.label("contact_name"),
    contacts.c.followers.label("contact_followers"),
    teams.c.slug.label("team_slug"),
    teams.c.name.label("team_name"),
    _assignee.c.name.label("assignee_name"),
    _root.c.sentiment_label.label("root_sentiment"),
    _intents.c.data.label("root_intents"),
]


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything in Hubbub is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _to_row(r: Any) -> QueueRow:
    intents_data = r.root_intents if isinstance(r.root_intents, dict) else {}
    return QueueRow(
        id=r.id,
        subject=r.subject or "",
        platform=r.platform,
        status=r.status,
        priority=r.priority,
        tags=list(r.tags or []),
        spam=bool(r.spam),
        post_count=r.post_count,
        opened_at=_aware(r.opened_at),  # type: ignore[arg-type]  # never NULL
        last_activity_at=_aware(r.last_activity_at),  # type: ignore[arg-type]
        last_inbound_at=_aware(r.last_inbound_at),
        snoozed_until=_aware(r.snoozed_until),
        resolved_at=_aware(r.resolved_at),
        first_response_due_at=_aware(r.first_response_due_at),
        resolution_due_at=_aware(r.resolution_due_at),
        first_response_at=_aware(r.first_response_at),
        first_response_seconds=r.first_response_seconds,
        resolution_seconds=r.resolution_seconds,
        first_response_breached=bool(r.first_response_breached),
        resolution_breached=bool(r.resolution_breached),
        root_post_id=r.root_post_id,
        sentiment=r.root_sentiment,
        intents=[str(label) for label in intents_data.get("labels") or []],
        contact=(
            ContactRef(
                r.contact_id,
                r.contact_platform,
                r.contact_handle,
                r.contact_name,
                r.contact_followers,
            )
            if r.contact_id is not None and r.contact_platform is not None
            else None
        ),
        team=TeamRef(r.team_id, r.team_slug, r.team_name) if r.team_slug is not None else None,
        assignee=Person(r.assignee_id, r.assignee_name) if r.assignee_name is not None else None,
    )


# -- filters -----------------------------------------------------------------------


def _filters(
    conn: Connection,
    flt: QueueFilter,
    user_id: int | None,
    team_id: int | None,
    *,
    with_queue: bool = True,
    with_status: bool = True,
) -> list[ColumnElement[bool]]:
    c = conversations.c
    where: list[ColumnElement[bool]] = [c.spam == flt.spam]
    if with_queue:
        if flt.queue == "mine":
            # nobody's queue for a principal that is not a person
            where.append(c.assignee_id == user_id if user_id is not None else literal(False))
        elif flt.queue == "unassigned":
            where.append(c.assignee_id.is_(None))
        elif team_id is not None:
            where.append(c.team_id == team_id)
    if with_status and flt.status is not None:
        where.append(c.status == flt.status)
    if flt.priority:
        where.append(c.priority == flt.priority)
    if flt.platform:
        where.append(c.platform == flt.platform)
    if flt.assignee_id is not None:
        where.append(c.assignee_id == flt.assignee_id)
    if flt.breached is not None:
        either = or_(c.first_response_breached == true(), c.resolution_breached == true())
        where.append(either if flt.breached else ~either)
    if flt.sentiment:
        where.append(_root.c.sentiment_label == flt.sentiment)
    if flt.tag:
        where.append(_json_list_has(conn, "conversations.tags", "tag", flt.tag))
    if flt.intent:
        where.append(_json_list_has(conn, "root_intents.data", "intent", flt.intent, "labels"))
    if flt.text and flt.text.strip():
        pattern = "%" + _like_escape(flt.text.strip().lower()) + "%"
        where.append(
            or_(
                func.lower(c.subject).like(pattern, escape="\\"),
                func.lower(contacts.c.name).like(pattern, escape="\\"),
                func.lower(contacts.c.handle).like(pattern, escape="\\"),
            )
        )
    return where


def _needs_joins(flt: QueueFilter) -> bool:
    # counting needs the joined tables only for filters on them
    return bool(flt.sentiment or flt.intent or (flt.text and flt.text.strip()))


def _json_list_has(
    conn: Connection, column: str, param: str, value: str, key: str | None = None
) -> ColumnElement[bool]:
    """``value`` is an element of the JSON list in ``column`` (or in its ``key``).
    Both engines test membership exactly; a LIKE over the JSON text would not."""
    if conn.dialect.name == "sqlite":
        path = f", '$.{key}'" if key else ""
        clause = f"EXISTS (SELECT 1 FROM json_each({column}{path}) WHERE value = :{param})"
    else:
        target = f"(CAST({column} AS JSONB) -> '{key}')" if key else f"CAST({column} AS JSONB)"
        clause = f"{target} @> jsonb_build_array(CAST(:{param} AS TEXT))"
    return text(clause).bindparams(**{param: value})  # type: ignore[return-value]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- sorting and the keyset cursor -------------------------------------------------


@dataclass(frozen=True)
class _Key:
    expr: ColumnElement[Any]
    desc: bool
    is_time: bool


def _time(conn: Connection, column: Any, fallback: Any = None) -> ColumnElement[Any]:
    """A time column as the listing compares it. On SQLite that is the stored
    fixed-width text, which sorts like the time and skips parsing every row."""
    if conn.dialect.name == "sqlite":
        expr: ColumnElement[Any] = type_coerce(column, String)
        if fallback is not None:
            expr = func.coalesce(expr, type_coerce(fallback, String))
        return expr
    return func.coalesce(column, fallback) if fallback is not None else column


_FAR_FUTURE_TEXT = "9999-12-31 00:00:00.000000"
_FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)


def _sort_keys(conn: Connection, sort: str) -> list[_Key]:
    c = conversations.c
    far = literal(_FAR_FUTURE_TEXT if conn.dialect.name == "sqlite" else _FAR_FUTURE)
    waiting = _Key(_time(conn, c.last_inbound_at, c.opened_at), False, True)
    oldest_id = _Key(c.id, False, False)
    if sort == "newest":
        return [_Key(_time(conn, c.last_activity_at), True, True), _Key(c.id, True, False)]
    if sort == "oldest_waiting":
        return [waiting, oldest_id]
    if sort == "priority":
        rank = case({p: i for i, p in enumerate(PRIORITIES)}, value=c.priority, else_=1)
        return [_Key(rank, True, False), waiting, oldest_id]
    # sla_due: the pending first response's deadline, else the resolution's
    first_due = case((c.first_response_at.is_(None), c.first_response_due_at), else_=None)
    due = func.coalesce(_time(conn, first_due), _time(conn, c.resolution_due_at), far)
    return [_Key(due, False, True), oldest_id]


def _after(keys: Sequence[_Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that sort after ``values`` in the order ``keys``: (a, b) > (x, y)
    spelt out, since row-value comparison does not mix directions."""
    alternatives = []
    for i, key in enumerate(keys):
        equal_before = [keys[j].expr == values[j] for j in range(i)]
        beyond = key.expr < values[i] if key.desc else key.expr > values[i]
        alternatives.append(and_(*equal_before, beyond))
    return or_(*alternatives)


def _encode_cursor(row: Any, keys: Sequence[_Key]) -> str:
    values = []
    for i in range(len(keys)):
        value = getattr(row, f"k{i}")
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, keys: Sequence[_Key]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidQueue("this page link is broken: start from the first page") from exc
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidQueue("this page link is for another sort: start from the first page")
    decoded: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        if key.is_time and isinstance(value, str) and "T" in value:
            try:  # PostgreSQL keys are datetimes; SQLite keys stay stored text
                value = datetime.fromisoformat(value)
            except ValueError as exc:
                raise InvalidQueue("this page link is broken") from exc
        elif not key.is_time and not isinstance(value, int):
            raise InvalidQueue("this page link is broken: start from the first page")
        decoded.append(value)
    return decoded


# -- counts ------------------------------------------------------------------------


def _counts(
    conn: Connection,
    flt: QueueFilter,
    user_id: int | None,
    team_id: int | None,
    tab_teams: Sequence[TeamRef],
) -> tuple[dict[str, int], list[Tab]]:
    """Status counts for the listing's queue and queue-tab counts for its status,
    from one statement grouped by (status, team)."""
    c = conversations.c
    mine = c.assignee_id == user_id if user_id is not None else literal(False)
    stmt = (
        select(
            c.status,
            c.team_id,
            func.count().label("n"),
            func.sum(case((mine, 1), else_=0)).label("mine"),
            func.sum(case((c.assignee_id.is_(None), 1), else_=0)).label("unassigned"),
        )
        .select_from(_JOINED if _needs_joins(flt) else conversations)
        .where(*_filters(conn, flt, user_id, None, with_queue=False, with_status=False))
        .group_by(c.status, c.team_id)
    )
    groups = conn.execute(stmt).all()

    def in_queue(g: Any, queue: str, queue_team: int | None) -> int:
        if queue == "mine":
            return int(g.mine or 0)
        if queue == "unassigned":
            return int(g.unassigned or 0)
        if queue == "all":
            return int(g.n)
        return int(g.n) if g.team_id == queue_team else 0

    status_counts = dict.fromkeys(STATUSES, 0)
    for g in groups:
        status_counts[g.status] = status_counts.get(g.status, 0) + in_queue(g, flt.queue, team_id)
    shown = [g for g in groups if flt.status is None or g.status == flt.status]
    tabs = [Tab("mine", "Mine", sum(in_queue(g, "mine", None) for g in shown))]
    tabs += [
        Tab(f"team:{t.slug}", t.name, sum(in_queue(g, "team", t.id) for g in shown))
        for t in tab_teams
    ]
    tabs.append(
        Tab("unassigned", "Unassigned", sum(in_queue(g, "unassigned", None) for g in shown))
    )
    tabs.append(Tab("all", "All", sum(int(g.n) for g in shown)))
    return status_counts, tabs
