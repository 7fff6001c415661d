"""The inbox listing on SQLite and PostgreSQL: queues, filters, sorts, keyset
pages and the tab counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from hubbub.inbox.queue import SORTS, InvalidQueue, QueueFilter, list_queue
from hubbub.post import utcnow

from .bulk_seed import Seeded, Spec, insert_conversations

ANA, BEN = "ana@example.com", "ben@example.com"
NOW = utcnow().replace(microsecond=0)


def _at(minutes: int) -> datetime:
    return NOW - timedelta(minutes=minutes)


SPECS = [
    # 0: Ana's urgent complaint, breached, shipping tag
    Spec(
        subject="Parcel lost in transit",
        priority="urgent",
        team="customer-service",
        assignee=ANA,
        tags=["shipping", "vip"],
        sentiment="negative",
        intents=["complaint"],
        breached=True,
        last_activity_at=_at(5),
        last_inbound_at=_at(50),
        first_response_due_at=NOW + timedelta(minutes=30),
    ),
    # 1: unassigned sales lead on bluesky
    Spec(
        subject="Do you ship to Norway?",
        team="sales",
        platform="bluesky",
        sentiment="neutral",
        intents=["question", "purchase_intent"],
        last_activity_at=_at(1),
        last_inbound_at=_at(1),
        first_response_due_at=NOW + timedelta(minutes=10),
    ),
    # 2: Ben's pending product request
    Spec(
        subject="Please add dark mode",
        status="pending",
        priority="low",
        team="product",
        assignee=BEN,
        sentiment="positive",
        intents=["feature_request"],
        last_activity_at=_at(30),
        last_inbound_at=_at(30),
    ),
    # 3: Ana's high-priority customer-service question, no SLA yet
    Spec(
        subject="Where is my refund_100%?",
        priority="high",
        team="customer-service",
        assignee=ANA,
        tags=["refund"],
        sentiment="negative",
        intents=["question"],
        last_activity_at=_at(20),
        last_inbound_at=_at(120),
        author_name="Zoë Example",
        author_handle="zoe",
    ),
    # 4: resolved, unassigned, no team
    Spec(
        subject="Thanks, all good now",
        status="resolved",
        sentiment="positive",
        intents=["praise"],
        last_activity_at=_at(300),
    ),
    # 5: spam, hidden unless asked for
    Spec(
        subject="Buy followers cheap",
        status="resolved",
        spam=True,
        intents=["spam"],
        last_activity_at=_at(2),
    ),
    # 6: unassigned customer-service, first response done: resolution due counts
    Spec(
        subject="App crashes on start",
        team="customer-service",
        sentiment="negative",
        intents=["bug_report"],
        last_activity_at=_at(10),
        last_inbound_at=_at(200),
        first_response_at=_at(100),
        first_response_due_at=NOW - timedelta(minutes=90),
        resolution_due_at=NOW + timedelta(minutes=5),
    ),
    # 7: snoozed, Ben's, sales
    Spec(
        subject="Call me next week",
        status="snoozed",
        team="sales",
        assignee=BEN,
        last_activity_at=_at(40),
    ),
]


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    return insert_conversations(engine, SPECS, now=NOW)


def _subjects(
    engine: Engine, seeded: Seeded, flt: QueueFilter, user: str | None = ANA, **kw: object
) -> list[str]:
    with engine.connect() as conn:
        page = list_queue(conn, flt, user_id=seeded.user_ids[user] if user else None, **kw)  # type: ignore[arg-type]
    return [r.subject for r in page.rows]


def _idx(*indexes: int) -> list[str]:
    return [SPECS[i].subject for i in indexes]


def test_queues(engine: Engine, seeded: Seeded) -> None:
    assert _subjects(engine, seeded, QueueFilter("mine")) == _idx(0, 3)
    assert _subjects(engine, seeded, QueueFilter("mine"), user=BEN) == []  # Ben's are not open
    assert _subjects(engine, seeded, QueueFilter("mine", status="pending"), user=BEN) == _idx(2)
    assert _subjects(engine, seeded, QueueFilter("mine"), user=None) == []  # the workspace token
    assert _subjects(engine, seeded, QueueFilter("unassigned")) == _idx(1, 6)
    assert _subjects(engine, seeded, QueueFilter("team:customer-service")) == _idx(0, 6, 3)
    assert _subjects(engine, seeded, QueueFilter("all")) == _idx(1, 0, 6, 3)
    assert _subjects(engine, seeded, QueueFilter("all", status=None)) == _idx(1, 0, 6, 3, 2, 7, 4)
    with pytest.raises(InvalidQueue):
        _subjects(engine, seeded, QueueFilter("team:nope"))
    with pytest.raises(InvalidQueue):
        QueueFilter("everything")
    with pytest.raises(InvalidQueue):
        QueueFilter("all", status="closed")


def test_filters(engine: Engine, seeded: Seeded) -> None:
    every = {"queue": "all", "status": None}
    cases: list[tuple[dict[str, object], list[int]]] = [
        ({"priority": "urgent"}, [0]),
        ({"platform": "bluesky"}, [1]),
        ({"tag": "shipping"}, [0]),
        ({"tag": "ship"}, []),  # whole tags only
        ({"assignee_id": seeded.user_ids[BEN]}, [2, 7]),
        ({"sentiment": "negative"}, [0, 6, 3]),
        ({"intent": "question"}, [1, 3]),
        ({"intent": "purchase_intent"}, [1]),
        ({"breached": True}, [0]),
        ({"breached": False}, [1, 6, 3, 2, 7, 4]),
        ({"text": "REFUND_100%"}, [3]),  # case-folded; _ and % are literal
        ({"text": "refund_1000"}, []),
        ({"text": "zoë"}, [3]),  # the contact's name
        ({"spam": True}, [5]),
        ({"sentiment": "negative", "tag": "refund"}, [3]),
    ]
    for extra, expected in cases:
        flt = QueueFilter(**{**every, **extra})  # type: ignore[arg-type]
        assert _subjects(engine, seeded, flt) == _idx(*expected), extra


def test_rows_carry_names_and_sla(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        page = list_queue(conn, QueueFilter("mine"), user_id=seeded.user_ids[ANA])
    first = page.rows[0]
    assert first.assignee is not None and first.assignee.name == "Ana"
    assert first.team is not None and first.team.slug == "customer-service"
    assert first.contact is not None and first.contact.name == "Author 0"
    assert first.tags == ["shipping", "vip"] and first.intents == ["complaint"]
    assert first.breached and first.next_due_at == NOW + timedelta(minutes=30)
    assert first.last_activity_at == _at(5) and first.last_activity_at.tzinfo is not None


def test_sorts(engine: Engine, seeded: Seeded) -> None:
    open_all = QueueFilter("all")
    assert _subjects(engine, seeded, open_all, sort="newest") == _idx(1, 0, 6, 3)
    assert _subjects(engine, seeded, open_all, sort="oldest_waiting") == _idx(6, 3, 0, 1)
    assert _subjects(engine, seeded, open_all, sort="priority") == _idx(0, 3, 6, 1)
    # 6's first response is done: its resolution (5 min) is next, before 1 (10) and 0 (30);
    # 3 has no due time and comes last
    assert _subjects(engine, seeded, open_all, sort="sla_due") == _idx(6, 1, 0, 3)
    with pytest.raises(InvalidQueue):
        _subjects(engine, seeded, open_all, sort="random")


@pytest.mark.parametrize("sort", SORTS)
def test_keyset_pages_cover_everything_once(engine: Engine, sort: str) -> None:
    # ties on every sort key but the id, so the cursor must break them
    same = _at(7)
    specs = [
        Spec(
            subject=f"c{i}",
            priority=("low", "urgent")[i % 2],
            last_activity_at=same if i % 3 else _at(i),
            last_inbound_at=same,
            first_response_due_at=None if i % 4 == 0 else NOW + timedelta(minutes=i % 3),
        )
        for i in range(23)
    ]
    seeded = insert_conversations(engine, specs, now=NOW)
    flt = QueueFilter("all")
    with engine.connect() as conn:
        whole = [r.id for r in list_queue(conn, flt, user_id=None, sort=sort, page_size=100).rows]
        walked: list[int] = []
        cursor = None
        pages = 0
        while True:
            page = list_queue(conn, flt, user_id=None, sort=sort, cursor=cursor, page_size=5)
            walked += [r.id for r in page.rows]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
    assert sorted(whole) == sorted(seeded.conversation_ids)
    assert walked == whole
    assert pages == 5
    with engine.connect() as conn, pytest.raises(InvalidQueue):
        list_queue(conn, flt, user_id=None, sort=sort, cursor="not-a-cursor")


def test_counts_for_tabs(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        page = list_queue(
            conn,
            QueueFilter("team:customer-service"),
            user_id=seeded.user_ids[ANA],
            tab_team_ids=[seeded.team_ids["customer-service"], seeded.team_ids["sales"]],
        )
    assert page.status_counts == {"open": 3, "pending": 0, "snoozed": 0, "resolved": 0}
    assert page.total == 3
    assert [(t.queue, t.label, t.count) for t in page.tabs] == [
        ("mine", "Mine", 2),
        ("team:customer-service", "Customer service", 3),
        ("team:sales", "Sales", 1),
        ("unassigned", "Unassigned", 2),
        ("all", "All", 4),
    ]
    with engine.connect() as conn:
        page = list_queue(conn, QueueFilter("all", status=None, sentiment="positive"), user_id=None)
    assert page.status_counts == {"open": 0, "pending": 1, "snoozed": 0, "resolved": 1}
    assert page.total == 2
    assert [t.count for t in page.tabs if t.queue == "unassigned"] == [1]
