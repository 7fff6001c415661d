"""The query editor's preview, "why (not)?" box and backfill progress bar in
real Chromium against a real server over the seeded workspace."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import Engine, update

from hubbub.actions.queries import backfill_query, create_query, request_backfill
from hubbub.store.tables import listening_queries

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _db(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params.get("db_kind", "db"))


def _no_dialogs(page: Page) -> list[str]:
    opened: list[str] = []

    def record(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


def test_preview_and_why_from_the_keyboard(page: Page, request: pytest.FixtureRequest) -> None:
    dialogs = _no_dialogs(page)
    page.goto("/queries/new")
    page.get_by_label("Query", exact=True).fill("acme NOT refund*")
    page.get_by_label("Window").select_option("all")
    why = page.get_by_label(re.compile(r"Why \(not\)\?"))
    why.fill("p7")  # the post whose text and author try to inject markup
    why.press("Enter")  # Enter in the test box tests (it does not save)

    heading = page.get_by_role("heading", name=re.compile("^Test: 7 stored posts match"))
    expect(heading).to_be_focused()
    expect(heading).to_contain_text("in all history")
    chart = page.locator(".test-results figure.chart-figure svg[role=img]")
    expect(chart).to_have_count(1)
    expect(page.locator(".test-results article.post")).to_have_count(7)
    marks = page.locator(".test-results mark")
    expect(marks).to_have_count(7)  # 'acme' once in each
    expect(page.get_by_label("Window")).to_have_value("all")

    explained = page.locator("section.explain")
    expect(explained.get_by_role("heading")).to_have_text("Why: this post matches")
    card = explained.locator("article.post")
    expect(card.locator("mark")).to_have_text(["acme"])
    # untrusted text is shown as text, never run or parsed as markup
    expect(card.locator(".post-text")).to_contain_text("<script>alert(1)</script>")
    expect(card.locator("img, script")).to_have_count(0)
    clauses = explained.locator(".clause")
    expect(clauses.first).to_contain_text("holds: acme AND NOT refund*")
    expect(explained.locator(".clause-no")).to_have_count(1)  # refund* itself is absent
    page.screenshot(path=str(ARTIFACTS / f"query-preview-{_db(request)}.png"), full_page=True)
    assert dialogs == []

    # why not: a post with a refund
    page.get_by_label(re.compile(r"Why \(not\)\?")).fill("p2")
    page.get_by_role("button", name="Test against stored posts").click()
    expect(page.locator("section.explain h2")).to_have_text("Why: this post does not match")
    excluded = page.locator("section.explain .clause", has_text="NOT refund*").first
    expect(excluded).to_contain_text("the excluded clause is present")
    expect(excluded).to_have_class(re.compile("clause-no"))

    page.get_by_label(re.compile(r"Why \(not\)\?")).fill("https://nowhere.example/1")
    page.get_by_role("button", name="Test against stored posts").click()
    expect(page.locator("section.explain")).to_contain_text("No stored post with that id")


def test_progress_bar_follows_a_background_backfill(
    page: Page, engine: Engine, request: pytest.FixtureRequest
) -> None:
    query_id = create_query(engine, "Anvils", "anvil OR amboss", backfill=False)
    run = request_backfill(engine, query_id)  # saved, not yet re-matched
    page.goto(f"/queries/{query_id}")
    # the backfill's own live region (the page also has the site-wide one)
    status = page.locator("#backfill-text")
    expect(status).to_have_text("Starting…")
    bar = page.locator("progress#backfill-bar")
    expect(bar).to_have_attribute("value", "0")

    assert backfill_query(engine, query_id, run=run) == 2  # another process would do this
    expect(status).to_have_text("Done: 2 stored posts match.")  # the page polled
    assert bar.evaluate("el => el.value") == 100
    expect(page.locator(".backfill-retry")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"query-backfill-{_db(request)}.png"), full_page=True)

    # a backfill that died with its server can be started again from the editor
    request_backfill(engine, query_id)
    with engine.begin() as conn:
        conn.execute(
            update(listening_queries)
            .where(listening_queries.c.id == query_id)
            .values(backfill_updated_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    page.goto("/queries")
    row = page.get_by_role("row", name=re.compile("Anvils"))
    expect(row.get_by_role("link", name="re-matching stalled")).to_be_visible()
    page.goto(f"/queries/{query_id}")
    expect(status).to_contain_text("Stopped before finishing")
    page.get_by_role("button", name="Match stored posts again").click()
    expect(status).to_have_text("Done: 2 stored posts match.")
