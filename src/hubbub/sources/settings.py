"""Checking a connector's settings against its declared spec: one way for
every connector, so messages read the same everywhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from hubbub.sources.base import ConfigError


def safe_url(url: object) -> str:
    """The URL without query or userinfo: fit for messages (tokens live there)."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def reject_unknown(kind: str, settings: dict[str, Any], spec: list[dict[str, Any]]) -> None:
    known = [s["name"] for s in spec]
    unknown = set(settings) - set(known)
    if unknown:
        raise ConfigError(
            f"{kind}: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(known)}"
        )


def url_setting(kind: str, settings: dict[str, Any], name: str, default: str | None) -> str:
    value = settings.get(name, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{kind}: setting {name!r} is required (an http or https URL)")
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{kind}: {name} must be an http or https URL, got {safe_url(url)!r}")
    return url


def text_setting(
    kind: str, settings: dict[str, Any], name: str, default: str | None, *, secret: bool = False
) -> str | None:
    value = settings.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str):
        shown = "a non-string value" if secret else repr(value)
        raise ConfigError(f"{kind}: {name} must be a string, got {shown}")
    return value.strip() or None


def number_setting(
    kind: str, settings: dict[str, Any], name: str, default: float, *, minimum: float
) -> float:
    value = settings.get(name, default)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ConfigError(f"{kind}: {name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{kind}: {name} must be a number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{kind}: {name} must be at least {minimum:g}, got {value!r}")
    return float(value)
