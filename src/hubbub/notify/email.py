"""Notification e-mails over SMTP (smtplib): plain text, with a link to the
conversation. Header values come from untrusted text (a post's first words),
so line breaks are folded away before they reach a header."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from hubbub.config import Settings

TIMEOUT = 20.0
# headers stay on one line (RFC 5322 allows 998): the Subject is short anyway,
# and folding would start it on a continuation line in some clients
POLICY = SMTP.clone(max_line_length=998)
KIND_TITLES = {
    "mention": "You were mentioned",
    "assignment": "Assigned to you",
    "sla_breach": "Service level missed",
    "rule": "Routing rule",
    "reply_failed": "A reply could not be sent",
}


def email_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host and settings.smtp_from)


def one_line(text: str, limit: int = 150) -> str:
    return " ".join(text.split())[:limit]


def compose(payload: dict[str, Any], settings: Settings, to: str) -> EmailMessage:
    """The mail for one delivery payload (see deliver.payload_for)."""
    title = KIND_TITLES.get(str(payload.get("kind")), "Notification")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = one_line(settings.smtp_from or "", 320)
    msg["To"] = one_line(to, 320)
    msg["Subject"] = one_line(f"[Hubbub] {title}: {payload.get('body', '')}")
    lines = [str(payload.get("body", "")), ""]
    if payload.get("conversation_url"):
        lines += [f"Open the conversation: {payload['conversation_url']}", ""]
    lines += [
        "--",
        f"Hubbub notifications for {payload.get('user', {}).get('email', to)}.",
        f"All of them: {payload.get('notifications_url', '')}",
    ]
    msg.set_content("\n".join(lines))
    return msg


def send_email(settings: Settings, to: str, payload: dict[str, Any]) -> None:
    """Send one mail; raises (smtplib.SMTPException, OSError) on failure."""
    if not email_configured(settings):
        raise RuntimeError("SMTP is not configured (smtp_host, smtp_from)")
    assert settings.smtp_host is not None
    message = compose(payload, settings, to)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        smtp.send_message(message)
