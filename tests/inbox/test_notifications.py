"""Notifications: created once per cause and person, read by their owner,
delivered by e-mail to a real local SMTP server (aiosmtpd) and to a real local
HTTP server as a signed webhook, retried with backoff while the receiver is
down, given up after the last attempt; and the scheduler tick that ties the
service-level check to the delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import Engine, select

from hubbub.actions import people
from hubbub.actions.notifications import mark_read, notify
from hubbub.config import Settings
from hubbub.inbox.scheduler import SCHEDULER_LEASE, run_once, run_scheduler
from hubbub.notify import deliver
from hubbub.notify.reads import list_for, unread_count
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.store.tables import audit_log, notification_deliveries
from hubbub.testing import free_port
from hubbub.workers.lease import Lease

from .sla_helpers import SYSTEM, make_conversation, make_user, notices, principal

SECRET = "whsec-test-1"
T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)


class Inbox:
    """aiosmtpd handler: keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),
            )
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class Receiver:
    """A real HTTP server on 127.0.0.1 recording webhook POSTs; ``status`` is
    what it answers; ``stop()``/``start()`` take it down and up on one port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.status = 204
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hubbub"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    try:
        yield r
    finally:
        r.stop()


def subject(mail: Message) -> str:
    return str(mail["Subject"])


def configured(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update={"public_url": "https://hubbub.example.com/", **changes})


def deliveries(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(notification_deliveries).order_by(notification_deliveries.c.id)
            ).mappings()
        ]


def send(engine: Engine, cid: int | None, user_ids: list[int], key: str, body: str) -> list[int]:
    with engine.begin() as conn:
        return notify(conn, user_ids, "mention", body, conversation_id=cid, dedupe_key=key)


# --- notify / read -------------------------------------------------------------


def test_notify_once_per_cause_and_active_person(engine: Engine) -> None:
    ana = make_user(engine, "ana@example.com")
    ben = make_user(engine, "ben@example.com")
    gone = make_user(engine, "gone@example.com")
    people.deactivate(engine, SYSTEM, gone)
    cid = make_conversation(engine, T0)
    first = send(engine, cid, [ana, ben, gone, ana], "note:7", "Ana mentioned you")
    assert len(first) == 2
    assert send(engine, cid, [ana, ben], "note:7", "Ana mentioned you") == []  # a replay
    assert len(send(engine, cid, [ana], "note:8", "again")) == 1  # another cause
    assert sorted((n["user_id"], n["dedupe_key"]) for n in notices(engine)) == [
        (ana, f"note:7:{ana}"),
        (ana, f"note:8:{ana}"),
        (ben, f"note:7:{ben}"),
    ]
    assert send(engine, cid, [], "note:9", "nobody") == []
    long_key = "x" * 400  # hashed, not cut: still once, still distinct
    assert len(send(engine, None, [ana], long_key, "long")) == 1
    assert send(engine, None, [ana], long_key, "long") == []
    assert len(send(engine, None, [ana], long_key + "y", "longer")) == 1


def test_people_read_their_own_notifications(engine: Engine) -> None:
    ana_id = make_user(engine, "ana@example.com")
    ben_id = make_user(engine, "ben@example.com")
    ana, ben = principal(engine, ana_id), principal(engine, ben_id)
    cid = make_conversation(engine, T0, subject="<b>Where is my parcel?</b>")
    (n1,) = send(engine, cid, [ana_id], "a", "first")
    (n2,) = send(engine, None, [ana_id], "b", "second")
    (b1,) = send(engine, cid, [ben_id], "c", "for ben")
    with engine.connect() as conn:
        assert unread_count(conn, ana_id) == 2
        assert [n["id"] for n in list_for(conn, ana_id)] == [n2, n1]
        assert list_for(conn, ana_id)[1]["subject"] == "<b>Where is my parcel?</b>"
    assert mark_read(engine, ben, [n1, n2]) == 0  # not his
    assert mark_read(engine, ana, [n1, b1]) == 1
    with engine.connect() as conn:
        listed = list_for(conn, ana_id)
        assert [n["id"] for n in listed] == [n2, n1]  # unread first
        assert listed[1]["read_at"] is not None
        assert unread_count(conn, ana_id) == 1
        assert unread_count(conn, ben_id) == 1
    assert mark_read(engine, ana, "all") == 1
    assert mark_read(engine, ana, "all") == 0
    viewer_token = Principal(label="t", role="viewer", user_id=ana_id, scopes=frozenset())
    with pytest.raises(PermissionDenied):
        mark_read(engine, viewer_token, "all")
    with engine.connect() as conn:
        reads = conn.execute(
            select(audit_log.c.actor, audit_log.c.after).where(
                audit_log.c.action == "notification.read"
            )
        ).all()
    assert reads == [("ana@example.com", {"ids": [n1]}), ("ana@example.com", {"ids": [n2]})]


# --- e-mail --------------------------------------------------------------------


def test_email_reaches_a_real_smtp_server_once(
    engine: Engine, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    s = configured(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="hubbub@example.com")
    ana = make_user(engine, "ana@example.com")
    quiet = make_user(engine, "quiet@example.com")
    with engine.begin() as conn:
        from hubbub.store.tables import users

        conn.execute(users.update().where(users.c.id == quiet).values(notify_email=False))
    cid = make_conversation(engine, T0, subject="Broken lid")
    send(engine, cid, [ana, quiet], "note:1", "Ben mentioned you on\r\nBcc: evil@example.com")
    result = deliver.run_deliveries(engine, s, T0)
    assert (result.planned, result.sent, result.retrying, result.failed) == (1, 1, 0, 0)
    ((sender, rcpts, mail),) = inbox.messages
    assert (sender, rcpts) == ("hubbub@example.com", ["ana@example.com"])
    # untrusted text never breaks out of the Subject header
    assert (
        subject(mail) == "[Hubbub] You were mentioned: Ben mentioned you on Bcc: evil@example.com"
    )
    assert mail["Bcc"] is None
    text = mail.get_content()
    assert f"https://hubbub.example.com/conversations/{cid}" in text
    (row,) = deliveries(engine)
    assert (row["channel"], row["target"], row["status"], row["attempts"]) == (
        "email",
        "ana@example.com",
        "sent",
        1,
    )
    # nothing new: nothing planned, nothing sent again
    again = deliver.run_deliveries(engine, s, T0 + timedelta(minutes=5))
    assert (again.planned, again.sent) == (0, 0)
    assert len(inbox.messages) == 1


def test_without_smtp_or_webhook_nothing_is_planned_twice(
    engine: Engine, settings: Settings
) -> None:
    ana = make_user(engine, "ana@example.com")
    send(engine, None, [ana], "k", "hello")
    assert deliver.run_deliveries(engine, settings, T0).planned == 0
    assert deliveries(engine) == []
    # configured later: the old notification was already planned (with nothing)
    s = configured(settings, notify_webhook_url="http://127.0.0.1:9/")
    assert deliver.run_deliveries(engine, s, T0).planned == 0


# --- webhook -------------------------------------------------------------------


def test_webhook_is_signed_and_carries_the_notification(
    engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    s = configured(
        settings, notify_webhook_url=receiver.url, notify_webhook_secret=SecretStr(SECRET)
    )
    ana = make_user(engine, "ana@example.com")
    cid = make_conversation(engine, T0)
    (nid,) = send(engine, cid, [ana], "note:1", "Ben mentioned you")
    assert deliver.deliver_pending(engine, s, T0) == 1
    ((headers, body),) = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Hubbub-Signature"] == expected
    assert headers["X-Hubbub-Delivery"] == f"webhook:{nid}"
    payload = json.loads(body)
    assert payload["notification_id"] == nid
    assert payload["kind"] == "mention"
    assert payload["body"] == "Ben mentioned you"
    assert payload["conversation_url"] == f"https://hubbub.example.com/conversations/{cid}"
    assert payload["user"] == {"id": ana, "email": "ana@example.com", "name": "ana"}
    assert deliver.deliver_pending(engine, s, T0 + timedelta(hours=1)) == 0
    assert len(receiver.requests) == 1


def test_webhook_retries_with_backoff_until_the_receiver_is_back(
    engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    s = configured(
        settings, notify_webhook_url=receiver.url, notify_webhook_secret=SecretStr(SECRET)
    )
    ana = make_user(engine, "ana@example.com")
    send(engine, None, [ana], "k", "hello")
    receiver.stop()  # down
    first = deliver.run_deliveries(engine, s, T0)
    assert (first.sent, first.retrying) == (0, 1)
    (row,) = deliveries(engine)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "ConnectError" in row["last_error"]
    assert row["next_attempt_at"].replace(tzinfo=UTC) == T0 + timedelta(minutes=1)
    # not due yet: not tried
    assert deliver.run_deliveries(engine, s, T0 + timedelta(seconds=30)).retrying == 0
    assert deliveries(engine)[0]["attempts"] == 1
    second = deliver.run_deliveries(engine, s, T0 + timedelta(minutes=1))
    assert second.retrying == 1
    assert deliveries(engine)[0]["next_attempt_at"].replace(tzinfo=UTC) == T0 + timedelta(
        minutes=3
    )  # 1 + 2 minutes
    receiver.start()  # back, on the same port
    third = deliver.run_deliveries(engine, s, T0 + timedelta(minutes=3))
    assert third.sent == 1
    (row,) = deliveries(engine)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, None)
    assert len(receiver.requests) == 1


def test_webhook_gives_up_after_the_last_attempt(
    engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    s = configured(settings, notify_webhook_url=receiver.url)
    receiver.status = 500
    ana = make_user(engine, "ana@example.com")
    send(engine, None, [ana], "k", "hello")
    now = T0
    for _ in range(deliver.MAX_ATTEMPTS):
        deliver.run_deliveries(engine, s, now)
        now += deliver.BACKOFF_CAP
    (row,) = deliveries(engine)
    assert (row["status"], row["attempts"]) == ("failed", deliver.MAX_ATTEMPTS)
    assert "HTTP 500" in row["last_error"]
    assert "X-Hubbub-Signature" not in receiver.requests[0][0]  # no secret, no signature
    deliver.run_deliveries(engine, s, now + timedelta(days=1))
    assert len(receiver.requests) == deliver.MAX_ATTEMPTS


def test_concurrent_senders_send_each_delivery_once(
    engine: Engine, settings: Settings, receiver: Receiver
) -> None:
    s = configured(settings, notify_webhook_url=receiver.url)
    users_ = [make_user(engine, f"u{i}@example.com") for i in range(10)]
    send(engine, None, users_, "k", "hello")
    deliver.plan_deliveries(engine, s, T0)
    threads = [threading.Thread(target=deliver.send_due, args=(engine, s, T0)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(receiver.requests) == 10
    assert {d["status"] for d in deliveries(engine)} == {"sent"}


# --- the scheduler -------------------------------------------------------------


def test_a_tick_marks_the_breach_and_mails_the_assignee(
    engine: Engine, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    from hubbub.actions.sla import apply_sla

    inbox, port = smtp
    s = configured(settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from="hubbub@example.com")
    ana = make_user(engine, "ana@example.com")
    cid = make_conversation(engine, T0, assignee_id=ana, priority="urgent", subject="Refund?")
    with engine.begin() as conn:
        apply_sla(conn, cid, T0)
    tick = run_once(engine, s, T0 + timedelta(minutes=31))
    assert (tick.breaches, tick.deliveries.sent, tick.errors) == (1, 1, [])
    ((_, rcpts, mail),) = inbox.messages
    assert rcpts == ["ana@example.com"]
    assert (
        subject(mail)
        == "[Hubbub] Service level missed: First response target missed (urgent): Refund?"
    )
    again = run_once(engine, s, T0 + timedelta(minutes=32))
    assert (again.breaches, again.deliveries.sent) == (0, 0)


def test_the_scheduler_loop_holds_the_lease_and_works(engine: Engine, settings: Settings) -> None:
    from hubbub.actions.sla import apply_sla

    make_user(engine, "root@example.com", "admin")
    opened = datetime.now(UTC) - timedelta(hours=1)
    cid = make_conversation(engine, opened, priority="urgent")
    with engine.begin() as conn:
        apply_sla(conn, cid, opened)
    stop = threading.Event()
    loop = threading.Thread(
        target=run_scheduler,
        args=(engine, settings, stop),
        kwargs={"holder": "h4-test", "interval": 0.2},
    )
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while not notices(engine) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(notices(engine)) == 1
        assert Lease(engine, SCHEDULER_LEASE, "other").current_holder() == "h4-test"
        # another scheduler does not get the lease while this one runs
        assert Lease(engine, SCHEDULER_LEASE, "other", ttl=30).acquire() is False
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    assert Lease(engine, SCHEDULER_LEASE, "other").current_holder() is None  # released
