"""A real uvicorn server over a seeded workspace, and a real headless Chromium,
signed in (``page``: the admin; ``page_as("agent")``: any seeded role)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.people.sessions import COOKIE
from hubbub.testing import free_port
from interfaces.conftest import session_for
from interfaces.seed import seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed; browser tests need Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def server(engine: Engine, settings: Settings) -> Iterator[str]:
    """The app on 127.0.0.1:<free port> in a thread; yields its base URL."""
    seed(engine, settings)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page_as(
    browser: object, server: str, engine: Engine, settings: Settings
) -> Iterator[Callable[[str | None], object]]:
    """``page_as("agent")``: a fresh browser context signed in as that seeded
    role (a real session cookie); ``page_as(None)``: signed in as nobody."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    contexts = []

    def make(role: str | None) -> object:
        context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        if role is not None:
            cookie = session_for(engine, settings, role)
            context.add_cookies([{"name": COOKIE, "value": cookie, "url": server}])
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        return pg

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_as: Callable[[str | None], object]) -> object:
    """Chromium signed in as the admin."""
    return page_as("admin")
