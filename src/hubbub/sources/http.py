"""HTTP politeness shared by the API connectors (Mastodon, Hacker News, Reddit).

``send`` performs one request and turns everything that means "try again later"
(429, 5xx, timeouts, refused connections) into ``HttpSourceError`` carrying the
server's ``Retry-After``. ``Throttle`` remembers that, plus the rate-limit
headers of successful responses, so a connector's ``next_awake()`` never polls
before the server said it may.

Messages name the host and path only: query strings and headers may carry
credentials (Mastodon's WebSocket ``access_token``), so they never reach an
exception, a log line or the UI.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from hubbub.post import parse_datetime, utcnow
from hubbub.sources.base import ConfigError, SourceError
from hubbub.sources.settings import (
    number_setting,
    reject_unknown,
    safe_url,
    text_setting,
    url_setting,
)

# Below this many remaining requests in the window, wait for the window to reset.
LOW_REMAINING = 2
MAX_BODY_BYTES = 20 * 1024 * 1024
# Never trust a server to park a source for more than a day.
MAX_WAIT = timedelta(days=1)


class HttpSourceError(SourceError):
    """A fetch failed; ``retry_after`` (seconds) is when the server said to come back."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class AuthError(HttpSourceError):
    """The server refused our credentials (401/403)."""


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    what: str,
    **kwargs: Any,
) -> httpx.Response:
    """One request; any failure becomes an ``HttpSourceError`` (``AuthError`` for 401/403).
    ``what`` names the connector in messages ("mastodon", "reddit")."""
    where = safe_url(url)
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise HttpSourceError(f"{what}: timed out talking to {where}") from exc
    except httpx.HTTPError as exc:
        raise HttpSourceError(f"{what}: could not reach {where}: {type(exc).__name__}") from exc
    if len(response.content) > MAX_BODY_BYTES:
        raise HttpSourceError(f"{what}: {where} sent more than {MAX_BODY_BYTES} bytes")
    check_status(response, what=what)
    return response


def check_status(response: httpx.Response, *, what: str) -> None:
    """Raise the ``HttpSourceError`` a 4xx/5xx response means; a streamed
    response must have been read (or be discarded) by the caller."""
    status = response.status_code
    if status < 400:
        return
    where = safe_url(response.url)
    retry = retry_after_seconds(response.headers.get("retry-after"), utcnow())
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    if status in (401, 403):
        raise AuthError(
            f"{what}: {where} refused the credentials ({reason}); check the token or client secret",
            status=status,
        )
    if status == 429:
        wait = f"; retry after {retry:g}s" if retry is not None else ""
        raise HttpSourceError(
            f"{what}: rate limited by {where}{wait}", status=status, retry_after=retry
        )
    raise HttpSourceError(f"{what}: {reason} from {where}", status=status, retry_after=retry)


def json_body(response: httpx.Response, *, what: str) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise HttpSourceError(
            f"{what}: {safe_url(response.url)} did not answer with JSON "
            f"(content-type {response.headers.get('content-type')!r})"
        ) from exc


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def rate_limit_wait(headers: httpx.Headers, now: datetime) -> float | None:
    """Seconds to wait before the next request when the window is nearly spent.

    Reddit sends ``X-Ratelimit-Remaining`` (a float) and ``X-Ratelimit-Reset``
    (seconds); Mastodon sends ``X-RateLimit-Remaining`` and an ISO 8601
    ``X-RateLimit-Reset``. Header names are case-insensitive, so one reader fits both.
    """
    remaining = headers.get("x-ratelimit-remaining")
    reset = headers.get("x-ratelimit-reset")
    if remaining is None or reset is None:
        return None
    try:
        if float(remaining) > LOW_REMAINING:
            return None
    except ValueError:
        return None
    try:
        return max(0.0, float(reset))
    except ValueError:
        pass
    try:
        return max(0.0, (parse_datetime(reset) - now).total_seconds())
    except ValueError:
        return None


class Throttle:
    """When a connector may next poll: its interval, pushed back by Retry-After and rate limits."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last_fetch: datetime | None = None
        self.not_before: datetime | None = None

    def started(self) -> None:
        self.last_fetch = utcnow()

    def saw(self, response: httpx.Response) -> None:
        wait = rate_limit_wait(response.headers, utcnow())
        if wait is not None:
            self._wait(wait)

    def failed(self, exc: BaseException) -> None:
        retry = getattr(exc, "retry_after", None)
        if retry is not None:
            self._wait(retry)

    def _wait(self, seconds: float) -> None:
        until = utcnow() + min(timedelta(seconds=seconds), MAX_WAIT)
        if self.not_before is None or until > self.not_before:
            self.not_before = until

    def next_awake(self) -> datetime | None:
        candidates = []
        if self.last_fetch is not None:
            candidates.append(self.last_fetch + timedelta(seconds=self.interval))
        if self.not_before is not None:
            candidates.append(self.not_before)
        return max(candidates) if candidates else None


# -- settings shared by the API connectors ------------------------------------


def remember(seen: list[str], new: list[str], limit: int) -> list[str]:
    """A bounded most-recent-last list of ids."""
    fresh = set(new)
    return ([i for i in seen if i not in fresh] + list(dict.fromkeys(new)))[-limit:]


__all__ = [
    "AuthError",
    "ConfigError",
    "HttpSourceError",
    "number_setting",
    "reject_unknown",
    "safe_url",
    "text_setting",
    "url_setting",
]
