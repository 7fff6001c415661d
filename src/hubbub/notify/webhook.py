"""The outbound notification webhook: each notification POSTed as JSON,
signed so the receiver can tell it came from us and was not altered.

``X-Hubbub-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with
notify_webhook_secret>``; compare it in constant time (docs/notifications.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from hubbub import __version__
from hubbub.config import Settings

TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Hubbub-Signature"


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact, keys sorted."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_webhook(settings: Settings, url: str, payload: dict[str, Any], delivery_key: str) -> None:
    """POST one notification; raises on a network error or a non-2xx answer."""
    body = body_bytes(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Hubbub/{__version__}",
        "X-Hubbub-Event": "notification",
        "X-Hubbub-Delivery": delivery_key,
    }
    if settings.notify_webhook_secret is not None:
        headers[SIGNATURE_HEADER] = signature(
            settings.notify_webhook_secret.get_secret_value(), body
        )
    response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT)
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")
