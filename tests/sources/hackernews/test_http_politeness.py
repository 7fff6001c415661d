"""hubbub.sources.http: Retry-After and rate-limit headers (shared by the API connectors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from hubbub.post import utcnow
from hubbub.sources.http import Throttle, rate_limit_wait, retry_after_seconds, safe_url

NOW = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after_seconds("120", NOW) == 120
    assert retry_after_seconds("Mon, 06 Jan 2025 10:02:00 GMT", NOW) == 120
    assert retry_after_seconds("Mon, 06 Jan 2025 09:00:00 GMT", NOW) == 0
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


def test_rate_limit_headers_of_reddit_and_mastodon() -> None:
    reddit = httpx.Headers({"X-Ratelimit-Remaining": "1.0", "X-Ratelimit-Reset": "42"})
    assert rate_limit_wait(reddit, NOW) == 42
    plenty = httpx.Headers({"X-Ratelimit-Remaining": "500.0", "X-Ratelimit-Reset": "42"})
    assert rate_limit_wait(plenty, NOW) is None
    mastodon = httpx.Headers(
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2025-01-06T10:05:00.123Z"}
    )
    assert rate_limit_wait(mastodon, NOW) == 300.123


def test_throttle_takes_the_later_of_interval_and_server_wait() -> None:
    throttle = Throttle(60)
    assert throttle.next_awake() is None
    throttle.started()
    due = throttle.next_awake()
    assert due is not None and due <= utcnow() + timedelta(seconds=60)
    response = httpx.Response(
        200, headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "600"}
    )
    throttle.saw(response)
    later = throttle.next_awake()
    assert later is not None and later > utcnow() + timedelta(seconds=590)


def test_safe_url_drops_query_and_userinfo() -> None:
    url = "https://user:pw@example.social:8443/api/v1/streaming?access_token=SECRET"
    assert safe_url(url) == "https://example.social:8443/api/v1/streaming"
