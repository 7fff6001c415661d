"""Fixtures for the scale-out tests: a NATS server of our own (so restarting it
harms no one), worker subprocesses, and a TCP proxy that can cut the workers
off from PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubbub.config import Settings
from hubbub.testing import NATS_SERVER, free_port, wait_port

from .proxy import TcpProxy


class NatsServer:
    def __init__(self, store: Path) -> None:
        self.port = free_port()
        self.store = store
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    if not os.path.exists(NATS_SERVER):
        pytest.skip("nats-server is not installed")
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
    env["HUBBUB_HOME"] = str(settings.home)
    if settings.database_url:
        env["HUBBUB_DATABASE_URL"] = settings.database_url
    env["COLUMNS"] = "200"
    return env


class Workers:
    """Real `hubbub worker` subprocesses."""

    def __init__(self, settings: Settings, nats_url: str, logs: Path) -> None:
        self.settings = settings
        self.nats_url = nats_url
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, database_url: str | None = None) -> subprocess.Popen[bytes]:
        env = cli_env(self.settings)
        env["HUBBUB_NATS_URL"] = self.nats_url
        # delivery is under test, not intents: spare the CPU the sentence embeddings
        env["HUBBUB_INTENT_ENABLED"] = "false"
        if database_url:
            env["HUBBUB_DATABASE_URL"] = database_url
        log = open(self.logs / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "hubbub", "worker", *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        # the test is over: no need to let them finish their messages
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("*.log"))


@pytest.fixture
def workers(settings: Settings, nats_server: NatsServer, tmp_path: Path) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir()
    w = Workers(settings, nats_server.url, logs)
    yield w
    w.stop_all()


@pytest.fixture
def pg_proxy() -> Iterator[TcpProxy]:
    proxy = TcpProxy(free_port(), "127.0.0.1", 5432)
    proxy.start()
    yield proxy
    proxy.stop()
