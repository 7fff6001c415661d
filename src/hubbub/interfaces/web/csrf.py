"""CSRF protection: a signed double-submit cookie.

The cookie holds ``nonce.signature`` (HMAC with a key derived from the API
token); every state-changing form echoes it in a hidden ``csrf_token`` field.
A cross-site form can neither read the cookie nor forge a signature.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request

COOKIE = "hubbub_csrf"
FIELD = "csrf_token"


def signing_key(api_token: str) -> bytes:
    return hashlib.sha256(b"hubbub-csrf:" + api_token.encode()).digest()


def _sign(key: bytes, nonce: str) -> str:
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def new_token(key: bytes) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_sign(key, nonce)}"


def is_valid(key: bytes, token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce, signature = token.rsplit(".", 1)
    return hmac.compare_digest(signature, _sign(key, nonce))


def token_for(request: Request) -> str:
    """The request's valid cookie token, or a fresh one (the page sets it)."""
    key: bytes = request.app.state.csrf_key
    current = request.cookies.get(COOKIE)
    if is_valid(key, current):
        assert current is not None
        return current
    fresh: str = getattr(request.state, "new_csrf", None) or new_token(key)
    request.state.new_csrf = fresh
    return fresh


async def verify(request: Request) -> None:
    """Dependency for POST views: the form field must equal the signed cookie."""
    key: bytes = request.app.state.csrf_key
    cookie = request.cookies.get(COOKIE)
    form = await request.form()
    submitted = form.get(FIELD)
    if (
        not isinstance(submitted, str)
        or not is_valid(key, cookie)
        or not hmac.compare_digest(submitted, cookie or "")
    ):
        raise HTTPException(
            403,
            detail="This form has expired or did not come from Hubbub. Reload the page and try again.",
        )
