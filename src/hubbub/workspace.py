"""A workspace: settings, the store, and the API token, found from HOME."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from hubbub.config import Settings, load_settings
from hubbub.store.db import open_engine


@dataclass
class Workspace:
    settings: Settings
    engine: Engine

    def close(self) -> None:
        self.engine.dispose()


def open_workspace(home: Path | str | None = None, **overrides: object) -> Workspace:
    settings = load_settings(home, **overrides)
    return Workspace(settings=settings, engine=open_engine(settings))


def api_token(settings: Settings) -> str:
    """The REST API token: the setting, else HOME/api_token (created on first use)."""
    if settings.api_token:
        return settings.api_token
    path = settings.home / "api_token"
    if path.exists():
        return path.read_text().strip()
    settings.home.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token
