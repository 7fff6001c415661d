"""The "webhook" source kind: posts pushed to ``POST /hooks/{source_id}``.

Deliveries arrive by HTTP (see routes.py and docs/webhook.md) and are stored
before the request is answered, so there is nothing to poll: the Source the
runner builds returns empty batches and only exists to validate settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from hubbub.hookspecs import hookimpl
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, SourceBatch
from hubbub.sources.settings import reject_unknown

MIN_SECRET_CHARS = 16
DEFAULT_PLATFORM = "webhook"
IDLE_AWAKE = timedelta(hours=1)  # nothing to poll; keeps the runner from spinning

_SETTINGS: list[dict[str, Any]] = [
    {
        "name": "secret",
        "type": "secret",
        "required": True,
        "default": None,
        "help": f"Shared secret for the HMAC-SHA256 signature (at least {MIN_SECRET_CHARS} characters).",
    },
    {
        "name": "platform",
        "type": "str",
        "required": False,
        "default": DEFAULT_PLATFORM,
        "help": "Platform for posts whose record names none (e.g. 'trustpilot').",
    },
]


class WebhookSource:
    kind: ClassVar[str] = "webhook"
    description: ClassVar[str] = (
        "Receive posts pushed as signed JSON to /hooks/<source id> (review sites, support tools)."
    )

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        """One dict per setting: name, type, required, default, help."""
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(self.kind, settings, _SETTINGS)
        self.secret = webhook_secret(settings)
        platform = settings.get("platform", DEFAULT_PLATFORM)
        if not isinstance(platform, str) or not platform.strip():
            raise ConfigError("webhook: platform must be a non-empty string")
        self.platform = platform.strip()

    def next_batch(self) -> SourceBatch:
        return SourceBatch()

    def next_awake(self) -> datetime | None:
        return utcnow() + IDLE_AWAKE

    def snapshot(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass


def webhook_secret(settings: dict[str, Any]) -> str:
    secret = settings.get("secret")
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"webhook: setting 'secret' is required, a string of at least {MIN_SECRET_CHARS} characters"
        )
    return secret


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [WebhookSource]
