"""The inbox in real headless Chromium against a real uvicorn server, signed
in with a real session: the keyboard (j/k/x/e, Enter, n/r, a) and hostile
post text and author names shown as text, never run."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Dialog, Page, expect
from sqlalchemy import Engine, select

from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.people.sessions import COOKIE, SessionPolicy, create_session
from hubbub.post import utcnow
from hubbub.store.tables import conversations, users
from hubbub.testing import free_port
from interfaces.inbox_helpers import open_seeded_conversations
from interfaces.seed import ROLE_EMAILS, XSS_AUTHOR, seed

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def inbox_page(
    browser: Browser, engine: Engine, settings: Settings
) -> Iterator[tuple[Page, dict[str, int]]]:
    """The seeded workspace's conversations, served for real, the agent signed in."""
    seed(engine, settings)
    convs = open_seeded_conversations(engine)
    with engine.begin() as conn:
        agent = conn.execute(
            select(users.c.id).where(users.c.email == ROLE_EMAILS["agent"])
        ).scalar_one()
        cookie = create_session(conn, agent, utcnow(), SessionPolicy.from_settings(settings))
    app = create_app(settings)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": COOKIE, "value": cookie, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    try:
        yield page, convs
        assert dialogs == [], f"a script ran: {dialogs}"  # hostile text never executes
    finally:
        context.close()
        srv.should_exit = True
        thread.join(timeout=10)


def _status(engine: Engine, cid: int) -> tuple[str, int | None]:
    with engine.connect() as conn:
        row = conn.execute(
            select(conversations.c.status, conversations.c.assignee_id).where(
                conversations.c.id == cid
            )
        ).one()
    return row.status, row.assignee_id


def test_inbox_keyboard(inbox_page: tuple[Page, dict[str, int]], engine: Engine) -> None:
    page, convs = inbox_page
    page.goto("/inbox?queue=all")
    rows = page.locator("tr[data-conversation]")
    expect(rows).to_have_count(len(convs))
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Inbox"))
    ).to_have_attribute("aria-current", "page")

    page.locator("body").press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(0)).not_to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    expect(page.locator("tr[data-conversation].selected")).to_have_count(1)

    # x ticks the focused row, j x the next; e resolves both through the bulk form
    first = int(rows.nth(0).get_attribute("data-id") or 0)
    second = int(rows.nth(1).get_attribute("data-id") or 0)
    page.keyboard.press("x")
    expect(rows.nth(0).locator("[data-select]")).to_be_checked()
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected:")
    page.keyboard.press("e")
    expect(page.get_by_role("status").filter(has_text="2 conversations resolved.")).to_be_visible()
    expect(rows).to_have_count(len(convs) - 2)
    assert _status(engine, first)[0] == "resolved" and _status(engine, second)[0] == "resolved"
    page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

    # Enter opens the focused conversation; a assigns it to me
    page.locator("body").press("j")
    target = int(rows.nth(0).get_attribute("data-id") or 0)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/conversations/{target}$"))
    page.keyboard.press("a")
    expect(page.get_by_text("Assignment changed.")).to_be_visible()
    with engine.connect() as conn:
        agent = conn.execute(
            select(users.c.id).where(users.c.email == ROLE_EMAILS["agent"])
        ).scalar_one()
    assert _status(engine, target) == ("open", agent)

    # n and r focus the note and the reply; keys typed there are text, not shortcuts
    page.keyboard.press("n")
    expect(page.locator("#note-body")).to_be_focused()
    page.keyboard.type("see @manager: e and a are letters here")
    assert _status(engine, target) == ("open", agent)
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_contain_text("Assign to me")
    page.keyboard.press("Escape")
    page.keyboard.press("e")
    expect(page.get_by_text("Status changed.")).to_be_visible()
    assert _status(engine, target)[0] == "resolved"


def test_hostile_text_is_shown_as_text(inbox_page: tuple[Page, dict[str, int]]) -> None:
    page, convs = inbox_page
    page.goto("/inbox?queue=all")
    row = page.locator(f"#conversation-{convs['p7']}")
    expect(row.locator(".subject")).to_contain_text("<script>alert(1)</script>")
    expect(row).to_contain_text(XSS_AUTHOR)
    assert page.locator("#main img").count() == 0
    row.locator(".subject").click()
    page.wait_for_url(re.compile(rf"/conversations/{convs['p7']}$"))
    expect(page.locator("h1")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator(".entry-post .post-text")).to_contain_text('"><img src=x onerror=alert(2)>')
    expect(page.locator(".entry-post .author-name")).to_have_text(XSS_AUTHOR)
    assert page.locator("#main img, #main script").count() == 0
    expect(page.locator(".post-link.unsafe")).to_have_text("javascript:alert(4)")
