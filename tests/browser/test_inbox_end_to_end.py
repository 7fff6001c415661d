"""Issue 5 done, end to end: a complaint posted on a local Mastodon server is
ingested through the real Mastodon source, routed to customer service by the
default rules, and answered in headless Chromium by an agent who signs in
through the login page, picks a saved reply and resolves. The reply reaches
the Mastodon server as a real API call; the first response time is stored,
shown and audited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import Engine, select

from engage.flow import ingest_status, mastodon_source
from hubbub.actions.queries import create_query
from hubbub.actions.routing import ensure_default_routing
from hubbub.actions.saved_replies import create_saved_reply
from hubbub.config import Settings
from hubbub.inbox.sla import timer_state
from hubbub.interfaces.web.render import utc_text
from hubbub.people.directory import principal_for
from hubbub.post import utcnow
from hubbub.store.tables import audit_log, conversations, replies, teams, users
from interfaces.seed import ROLE_EMAILS, TEST_PASSWORD
from servers.mastodon import MastodonServer

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

TOKEN = "acme-support-write-token"
# what an angry customer writes: markup-looking text and a display name that
# would run script if anything rendered them as HTML
COMPLAINT = (
    "@acme your Acme anvil broke on day ONE <b>again</b> & support ignores me. "
    "I want a refund </p><script>alert('anvil')</script>"
)
DISPLAY_NAME = 'Wile E. "<img src=x onerror=alert(1)>"'
SAVED_BODY = (
    "Hi {{author.handle}}, I am sorry the anvil let you down. "
    "{{agent.first_name}} from {{team.name}} here: we will make it right."
)
EDIT = " A refund is on its way today."


@pytest.fixture
def mastodon() -> Iterator[MastodonServer]:
    server = MastodonServer()
    server.add_account("acme", "Acme Support")
    server.add_token(TOKEN, "acme", {"read", "write"})
    server.add_account("wile", DISPLAY_NAME, followers=42)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def complaint(
    server: str, engine: Engine, settings: Settings, mastodon: MastodonServer
) -> dict[str, Any]:
    """The workspace (seeded by ``server``) listens to the Mastodon server with
    the default routing rules; the complaint is posted there and ingested."""
    ensure_default_routing(engine)
    create_query(engine, "Anvil talk", "anvil")
    source_id = mastodon_source(engine, settings, mastodon, TOKEN)
    status, cid = ingest_status(engine, settings, mastodon, source_id, "wile", COMPLAINT)
    return {"status": status, "cid": cid}


def _ids(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        team = conn.execute(select(teams.c.id).where(teams.c.slug == "customer-service"))
        agent = conn.execute(select(users.c.id).where(users.c.email == ROLE_EMAILS["agent"]))
        return int(team.scalar_one()), int(agent.scalar_one())


def _manager_saves_reply(engine: Engine, team_id: int) -> int:
    email = ROLE_EMAILS["manager"]
    with engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.email == email)).scalar_one()
        manager = principal_for(conn, user_id=uid, email=email, role="manager")
    return create_saved_reply(
        engine, manager, name="Sorry, we will fix it", body=SAVED_BODY, team_id=team_id
    )


def test_a_complaint_is_routed_answered_on_mastodon_and_resolved(
    page_as: Callable[[str | None], object],
    engine: Engine,
    mastodon: MastodonServer,
    complaint: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    cid: int = complaint["cid"]
    status: dict[str, Any] = complaint["status"]
    team_id, agent_id = _ids(engine)
    saved_id = _manager_saves_reply(engine, team_id)

    page = page_as(None)
    assert isinstance(page, Page)
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)

    # the agent signs in through the real form and lands in the inbox
    page.goto("/inbox")
    assert page.url.endswith("/login?next=/inbox")
    page.get_by_label("E-mail address").fill(ROLE_EMAILS["agent"])
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()

    # the default rules put it in customer service's queue
    queues = page.get_by_role("navigation", name="Queues")
    queues.get_by_role("link", name=re.compile("^Customer service")).click()
    page.wait_for_url(re.compile(r"queue=team%3Acustomer-service"))
    rows = page.locator("tr[data-conversation]")
    expect(rows.nth(0)).to_have_attribute("data-id", str(cid))  # newest first
    expect(rows.nth(0).get_by_role("cell", name="Customer service")).to_be_visible()
    expect(rows.nth(0)).to_contain_text("day ONE <b>again</b> & support")
    expect(rows.nth(0)).to_contain_text(DISPLAY_NAME)

    # j focuses it, Enter opens it
    page.locator("body").press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/conversations/{cid}$"))
    expect(page.locator(".entry-root .post-text")).to_contain_text("</p><script>")
    expect(page.locator(".entry-root .author-name")).to_have_text(DISPLAY_NAME)

    # the saved reply fills the box, its variables filled in for this conversation
    page.get_by_label("Saved reply").select_option(label="Sorry, we will fix it")
    box = page.get_by_role("textbox", name="Reply", exact=True)
    filled = "Hi @wile, I am sorry the anvil let you down. Agent from Customer service here"
    expect(box).to_have_value(re.compile("^" + re.escape(filled)))
    expect(box).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.type(EDIT)  # letters typed here are text, not shortcuts
    text = box.input_value()
    assert text.startswith(filled) and text.endswith(EDIT)
    page.get_by_label("Then").select_option("resolved")
    page.get_by_role("button", name="Send reply").click()

    page.wait_for_url(re.compile(rf"/conversations/{cid}\?done=resolved$"))
    expect(
        page.get_by_role("status").filter(has_text="Reply sent and the conversation resolved.")
    ).to_be_visible()
    expect(page.locator(".conversation-badges .status")).to_have_text("resolved")
    expect(page.locator(".entry-reply .post-text")).to_have_text(text)
    expect(page.locator(".entry-reply .reply-status")).to_have_text("sent")

    # the reply reached Mastodon as a real API call, once
    (call,) = mastodon.posted()
    sent = call.json()
    assert sent["in_reply_to_id"] == status["id"]
    assert sent["status"] == text  # it mentions @wile already: nothing prepended
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    key = call.headers["idempotency-key"]
    assert key.strip()
    posted = mastodon.statuses[-1]
    assert posted["in_reply_to_id"] == status["id"]
    assert posted["account"]["username"] == "acme"
    assert [m["username"] for m in posted["mentions"]] == ["wile"]

    with engine.connect() as conn:
        conv = conn.execute(select(conversations).where(conversations.c.id == cid)).one()
        reply = conn.execute(select(replies).where(replies.c.conversation_id == cid)).one()
        audited = conn.execute(
            select(audit_log.c.action, audit_log.c.actor_user_id, audit_log.c.after)
            .where(audit_log.c.object_type == "conversation", audit_log.c.object_id == str(cid))
            .order_by(audit_log.c.id)
        ).all()
    assert conv.team_id == team_id
    assert conv.status == "resolved" and conv.resolved_at is not None
    assert conv.first_response_at is not None
    assert isinstance(conv.first_response_seconds, int) and conv.first_response_seconds >= 0
    assert reply.status == "sent" and reply.author_id == agent_id
    assert reply.saved_reply_id == saved_id and reply.idempotency_key == key
    assert reply.external_id == posted["uri"] and reply.body == text

    # the first response is shown with its time, and the timer says how it went
    first_response = page.locator(".sla-panel dt:text-is('First response') + dd")
    minutes = conv.first_response_seconds // 60
    expect(first_response).to_have_text(
        f"{utc_text(conv.first_response_at)} ({minutes} business min)"
    )
    timer = timer_state(conv, utcnow())
    assert timer.state == "met" and timer.label.startswith("resolved")  # "resolved in 3s"
    badge = page.locator(".conversation-badges [data-sla]")
    expect(badge).to_have_text(timer.label)
    expect(badge).to_have_class(re.compile(r"\bsla-met\b"))

    # the audit log has the agent's reply and status change
    by_agent = {
        (a.action, (a.after or {}).get("status")) for a in audited if a.actor_user_id == agent_id
    }
    assert {("conversation.reply", "sent"), ("conversation.status", "resolved")} <= by_agent
    page.screenshot(
        path=str(ARTIFACTS / f"inbox-end-to-end-{request.node.callspec.params['db_kind']}.png"),
        full_page=True,
    )
    assert dialogs == [], f"a script ran: {dialogs}"
