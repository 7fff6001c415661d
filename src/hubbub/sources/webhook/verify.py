"""Webhook signatures. Pure: the caller passes the clock.

Signature: ``X-Hubbub-Signature: sha256=<hex>``, the HMAC-SHA256 with the
source's secret over the raw body; or, when ``X-Hubbub-Timestamp`` (Unix
seconds) is sent, over ``"<timestamp>." + body``, and the timestamp must be
within ``TOLERANCE_SECONDS`` of our clock, so a captured delivery cannot be
replayed later. (A replay inside that window stores nothing new either:
ingest is idempotent on each post's id.)
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hubbub-Signature"
TIMESTAMP_HEADER = "X-Hubbub-Timestamp"
TOLERANCE_SECONDS = 300
_PREFIX = "sha256="


class SignatureError(ValueError):
    """Why a delivery's signature was refused (safe to tell the sender)."""


def signed_bytes(body: bytes, timestamp: str | None) -> bytes:
    return body if timestamp is None else timestamp.encode("ascii") + b"." + body


def sign(secret: str, body: bytes, timestamp: str | None = None) -> str:
    """The header value a sender puts in ``X-Hubbub-Signature``."""
    digest = hmac.new(secret.encode(), signed_bytes(body, timestamp), hashlib.sha256)
    return _PREFIX + digest.hexdigest()


def verify(
    secret: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> None:
    """Raise SignatureError unless ``signature`` signs ``body`` (and ``timestamp``)."""
    if not signature:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    if not signature.startswith(_PREFIX):
        raise SignatureError(f"{SIGNATURE_HEADER} must be 'sha256=<hex digest>'")
    if timestamp is not None:
        if not timestamp.isascii() or not timestamp.strip().isdigit():
            raise SignatureError(f"{TIMESTAMP_HEADER} must be Unix seconds")
        if abs(now - int(timestamp)) > tolerance:
            raise SignatureError(
                f"{TIMESTAMP_HEADER} is more than {tolerance:g}s from the server's clock"
            )
    expected = sign(secret, body, timestamp)
    # compare_digest: the time taken reveals nothing about how much matched
    if not hmac.compare_digest(
        expected.encode(), signature.strip().lower().encode("ascii", "replace")
    ):
        raise SignatureError("signature does not match the body")
