"""Random secrets and their stored form. Sessions, API tokens and invitations
keep only the sha256 of a secret, so a copy of the database lets nobody in;
a 256-bit random secret needs no slow hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone columns; they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
