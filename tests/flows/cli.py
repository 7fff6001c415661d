"""Running the real ``hubbub`` command in a subprocess against a test workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from hubbub.config import Settings


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
    env["HUBBUB_HOME"] = str(settings.home)
    if settings.database_url:
        env["HUBBUB_DATABASE_URL"] = settings.database_url
    if not settings.intent_enabled:
        env["HUBBUB_INTENT_ENABLED"] = "false"
    env["COLUMNS"] = "200"
    return env


def hubbub(
    settings: Settings, *args: str, check: bool = True, **kw: Any
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hubbub", *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"hubbub {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def start_hubbub(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hubbub", *args],
        env=cli_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
