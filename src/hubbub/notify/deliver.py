"""Sending notifications out: e-mail and the outbound webhook, with retries.

Two steps, both safe to run from several processes at once:

1. *Plan*: each new notification gets one ``notification_deliveries`` row per
   configured channel (keyed ``email:<id>`` / ``webhook:<id>``, so never two),
   and is marked planned. E-mail only when SMTP is configured and the person
   is active and wants e-mail; the webhook for every notification when
   ``notify_webhook_url`` is set.
2. *Send*: each due delivery is claimed (attempts + 1, pushed CLAIM into the
   future, in one conditional UPDATE, so only one sender has it), sent outside
   any transaction, then marked sent, or rescheduled with exponential backoff,
   or failed after MAX_ATTEMPTS. A sender that dies mid-send leaves the claim
   to lapse and the delivery is retried: at-least-once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from hubbub.config import Settings
from hubbub.inbox.sla import as_utc
from hubbub.notify.email import email_configured, send_email
from hubbub.notify.webhook import post_webhook
from hubbub.post import utcnow
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import notification_deliveries, notifications, users

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)  # 1, 2, 4, ... minutes between attempts
BACKOFF_CAP = timedelta(hours=6)
CLAIM = timedelta(minutes=5)  # longer than an SMTP or HTTP timeout
PLAN_BATCH = 500
SEND_LIMIT = 200  # per call, so one scheduler tick stays short


@dataclass
class DeliveryResult:
    planned: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def public_base(settings: Settings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)


def payload_for(row: Any, settings: Settings) -> dict[str, Any]:
    base = public_base(settings)
    conversation_id = row.conversation_id
    return {
        "notification_id": row.id,
        "kind": row.kind,
        "body": row.body,
        "created_at": as_utc(row.created_at).isoformat(),
        "conversation_id": conversation_id,
        "conversation_url": f"{base}/conversations/{conversation_id}" if conversation_id else None,
        "notifications_url": f"{base}/notifications",
        "user": {"id": row.user_id, "email": row.email, "name": row.name},
    }


def plan_deliveries(engine: Engine, settings: Settings, now: datetime) -> int:
    """Create the deliveries of notifications not yet planned; how many."""
    email_on = email_configured(settings)
    webhook_url = settings.notify_webhook_url
    created = 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(
                select(
                    notifications.c.id,
                    notifications.c.user_id,
                    notifications.c.kind,
                    notifications.c.body,
                    notifications.c.conversation_id,
                    notifications.c.created_at,
                    users.c.email,
                    users.c.name,
                    users.c.active,
                    users.c.notify_email,
                )
                .join(users, users.c.id == notifications.c.user_id)
                .where(notifications.c.deliveries_created_at.is_(None))
                .order_by(notifications.c.id)
                .limit(PLAN_BATCH)
            ).all()
            if not rows:
                return created
            for row in rows:
                targets = []
                if email_on and row.active and row.notify_email:
                    targets.append(("email", row.email))
                if webhook_url:
                    targets.append(("webhook", webhook_url))
                for channel, target in targets:
                    new = conn.execute(
                        dialect_insert(conn, notification_deliveries)
                        .values(
                            channel=channel,
                            target=target,
                            payload=payload_for(row, settings),
                            dedupe_key=f"{channel}:{row.id}",
                            status="pending",
                            attempts=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                        .on_conflict_do_nothing(index_elements=["dedupe_key"])
                        .returning(notification_deliveries.c.id)
                    ).scalar()
                    created += new is not None
            conn.execute(
                update(notifications)
                .where(notifications.c.id.in_([r.id for r in rows]))
                .values(deliveries_created_at=now)
            )
        if len(rows) < PLAN_BATCH:
            return created


def _claim(engine: Engine, delivery_id: int, now: datetime) -> Any:
    d = notification_deliveries.c
    with engine.begin() as conn:
        return conn.execute(
            update(notification_deliveries)
            .where(d.id == delivery_id, d.status == "pending", d.next_attempt_at <= now)
            .values(attempts=d.attempts + 1, next_attempt_at=now + CLAIM)
            .returning(d.id, d.channel, d.target, d.payload, d.attempts, d.dedupe_key)
        ).first()


def _send(settings: Settings, claimed: Any) -> None:
    if claimed.channel == "email":
        send_email(settings, claimed.target, claimed.payload)
    elif claimed.channel == "webhook":
        post_webhook(settings, claimed.target, claimed.payload, claimed.dedupe_key)
    else:
        raise ValueError(f"unknown channel {claimed.channel!r}")


def send_due(engine: Engine, settings: Settings, now: datetime) -> DeliveryResult:
    d = notification_deliveries.c
    result = DeliveryResult()
    with engine.connect() as conn:
        due = (
            conn.execute(
                select(d.id)
                .where(d.status == "pending", d.next_attempt_at <= now)
                .order_by(d.next_attempt_at, d.id)
                .limit(SEND_LIMIT)
            )
            .scalars()
            .all()
        )
    for delivery_id in due:
        claimed = _claim(engine, delivery_id, now)
        if claimed is None:  # another sender has it
            continue
        try:
            _send(settings, claimed)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:1000]
            gave_up = claimed.attempts >= MAX_ATTEMPTS
            values: dict[str, Any] = {"last_error": error}
            if gave_up:
                values["status"] = "failed"
                result.failed += 1
            else:
                values["next_attempt_at"] = now + backoff(claimed.attempts)
                result.retrying += 1
            log.warning(
                "%s delivery %s attempt %s failed%s: %s",
                claimed.channel,
                claimed.dedupe_key,
                claimed.attempts,
                " (giving up)" if gave_up else "",
                error,
            )
        else:
            values = {"status": "sent", "sent_at": now, "last_error": None}
            result.sent += 1
        with engine.begin() as conn:
            conn.execute(update(notification_deliveries).where(d.id == claimed.id).values(**values))
    return result


def run_deliveries(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> DeliveryResult:
    """Plan new notifications' deliveries, then send what is due."""
    now = as_utc(now or utcnow())  # SQLite compares the stored UTC text
    planned = plan_deliveries(engine, settings, now)
    result = send_due(engine, settings, now)
    result.planned = planned
    return result


def deliver_pending(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """run_deliveries, counting the deliveries sent."""
    return run_deliveries(engine, settings, now).sent
