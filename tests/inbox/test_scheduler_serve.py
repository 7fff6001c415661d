"""`hubbub serve` runs the scheduler under its lease and, stopped with SIGTERM
as a service manager does, hands the lease back at once (a restarted node
need not wait for it to lapse)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from sqlalchemy import Engine, select

from flows.cli import cli_env
from hubbub.config import Settings
from hubbub.inbox.scheduler import SCHEDULER_LEASE
from hubbub.store.tables import leases
from hubbub.testing import free_port


def _holder(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            select(leases.c.holder).where(leases.c.name == SCHEDULER_LEASE)
        ).scalar_one_or_none()


def test_serve_holds_the_scheduler_lease_and_releases_it_on_sigterm(
    engine: Engine, settings: Settings
) -> None:
    port = free_port()
    env = {**cli_env(settings), "HUBBUB_SCHEDULER_INTERVAL_SECONDS": "0.5"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubbub", "serve", "--no-ingest", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while _holder(engine) is None:
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "the scheduler never took its lease"
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signal.SIGTERM, output
    assert _holder(engine) is None, output
