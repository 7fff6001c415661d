"""One JSON request to a platform, every failure a PublishError in words a
person can act on (the platform's own message where it sent one). Messages
name the host and path only: never a query string or a header."""

from __future__ import annotations

from typing import Any

import httpx

from hubbub.engage.publishers import PublishError
from hubbub.sources.settings import safe_url

TIMEOUT = 20.0
USER_AGENT = "Hubbub/0.1 (self-hosted social listening)"
_MESSAGE_CHARS = 500


def client() -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )


class PlatformError(PublishError):
    """The platform answered with an error status; ``code`` is its error name
    where it gave one (Bluesky's "ExpiredToken")."""

    def __init__(self, message: str, *, status: int, code: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def request_json(
    http: httpx.Client, method: str, url: str, *, what: str, **kwargs: Any
) -> dict[str, Any]:
    where = safe_url(url)
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        raise PublishError(f"{what} did not answer in time ({where})") from exc
    except httpx.HTTPError as exc:
        raise PublishError(f"could not reach {what} ({where}): {type(exc).__name__}") from exc
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code >= 400:
        code, message = _error_of(data)
        detail = message or code or response.reason_phrase or "no explanation given"
        raise PlatformError(
            f"{what} refused the reply (HTTP {response.status_code}): {detail[:_MESSAGE_CHARS]}",
            status=response.status_code,
            code=code,
        )
    if not isinstance(data, dict):
        raise PublishError(f"{what} answered {where} with something that is not a JSON object")
    return data


def _error_of(data: Any) -> tuple[str | None, str | None]:
    """Mastodon: ``{"error": "..."}``; AT Protocol: ``{"error": Name, "message": "..."}``."""
    if not isinstance(data, dict):
        return None, None
    error, message = data.get("error"), data.get("message")
    error = error if isinstance(error, str) and error else None
    message = message if isinstance(message, str) and message else None
    if message is None and error is not None and " " in error:
        return None, error  # Mastodon puts the sentence in "error"
    return error, message
