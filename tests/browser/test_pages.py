"""The web UI in real headless Chromium against a real uvicorn server."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from hubbub.config import Settings
from interfaces.seed import run_failing_feed, run_file_source

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _db(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params.get("db_kind", "db"))


def test_main_pages_and_keyboard_shortcuts(page: Page, request: pytest.FixtureRequest) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Mentions")).to_be_visible()
    expect(page.locator("article.post")).to_have_count(10)
    expect(page.get_by_text("1 of 3 copies")).to_be_visible()
    expect(page.locator('nav a[aria-current="page"]')).to_have_text(re.compile("Mentions"))
    page.screenshot(path=str(ARTIFACTS / f"mentions-{_db(request)}.png"), full_page=True)

    # j / k move through the posts
    page.locator("body").press("j")
    expect(page.locator("article.post").nth(0)).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    expect(page.locator("article.post").nth(1)).to_have_class(re.compile("selected"))
    expect(page.locator("article.post.selected")).to_have_count(1)
    page.keyboard.press("k")
    expect(page.locator("article.post").nth(0)).to_have_class(re.compile("selected"))

    # ? opens the help, Escape closes it
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()

    # g + letter switches pages
    for keys, path, heading in (
        ("d", "/dashboard", "Dashboard"),
        ("q", "/queries", "Listening queries"),
        ("s", "/sources", "Sources"),
        ("m", "/", "Mentions"),
    ):
        page.keyboard.press("g")
        page.keyboard.press(keys)
        page.wait_for_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    # / focuses search; typing a query and Enter searches
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("refund")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=refund"))
    expect(page.locator("article.post")).to_have_count(2)
    expect(page.locator("article.post mark").first).to_have_text(re.compile("refund", re.I))


def test_sources_page_shows_health(
    page: Page, engine: Engine, settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    run_file_source(engine, settings, tmp_path)
    run_failing_feed(engine, settings, failures=3)
    page.goto("/sources")
    ok = page.get_by_role("row", name=re.compile("forum export"))
    expect(ok.locator(".state")).to_have_text("ok")
    down = page.get_by_role("row", name=re.compile("dead feed"))
    expect(down.locator(".state")).to_have_text("failing")
    expect(down).to_contain_text("3 failures in a row")
    expect(page.get_by_role("table").nth(1)).to_contain_text("line 2")
    page.screenshot(path=str(ARTIFACTS / f"sources-{_db(request)}.png"), full_page=True)

    page.once("dialog", lambda d: d.accept())
    down.get_by_role("button", name=re.compile("Remove")).click()
    page.wait_for_url(re.compile("done=removed"))
    expect(page.get_by_role("row", name=re.compile("dead feed"))).to_have_count(0)


def test_filters_and_search_errors(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Sentiment").select_option("negative")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile("sentiment=negative"))
    expect(page.locator("article.post")).to_have_count(1)
    expect(page.locator("article.post .badge")).to_have_text("negative")

    page.goto("/search")
    page.get_by_label("Listening query", exact=True).fill("acme AND (refund")
    page.get_by_role("button", name="Search", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Query error")
    expect(alert.locator("pre.caret")).to_have_text("acme AND (refund\n                ^")
    expect(page.get_by_label("Listening query", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


def test_query_editor_test_and_save(page: Page, request: pytest.FixtureRequest) -> None:
    page.goto("/queries")
    page.get_by_role("link", name="New query").click()
    page.get_by_label("Name").fill("Anvils")
    page.get_by_label("Query", exact=True).fill("anvil OR amboss")
    page.get_by_role("button", name="Test against stored posts").click()
    expect(
        page.get_by_role("heading", name=re.compile("Test: 2 stored posts match"))
    ).to_be_visible()
    expect(page.locator(".test-results mark")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / f"query-test-{_db(request)}.png"), full_page=True)
    # the form kept what was typed
    expect(page.get_by_label("Name")).to_have_value("Anvils")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/queries/\d+\?done=created"))
    expect(page.locator(".notice")).to_contain_text("Query created")
    expect(page.locator("#backfill-text")).to_have_text("Done: 2 stored posts match.")
    page.goto("/queries")
    row = page.get_by_role("row", name=re.compile("Anvils"))
    expect(row).to_contain_text("2")
    page.screenshot(path=str(ARTIFACTS / f"queries-{_db(request)}.png"), full_page=True)

    # deleting asks first, then removes the row
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name=re.compile("Delete")).click()
    page.wait_for_url(re.compile(r"done=deleted"))
    expect(page.get_by_role("row", name=re.compile("Anvils"))).to_have_count(0)


def _distinct_colours(page: Page, png: bytes) -> int:
    """Distinct colours in a PNG, decoded by the browser itself."""
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    count: Any = page.evaluate(
        """async (src) => {
            const img = new Image();
            img.src = src;
            await img.decode();
            const c = document.createElement("canvas");
            c.width = img.width; c.height = img.height;
            const ctx = c.getContext("2d");
            ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            return seen.size;
        }""",
        data_url,
    )
    return int(count)


def test_dashboard_charts_render(page: Page, request: pytest.FixtureRequest) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/dashboard?days=14")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 80
    volume, sentiment = charts.nth(0), charts.nth(1)
    expect(volume.locator("path.line")).to_have_count(3)
    assert sentiment.locator("rect.bar").count() >= 3
    expect(volume).to_have_attribute("role", "img")
    expect(page.get_by_role("img", name=re.compile("Sentiment per day"))).to_be_visible()

    shot = page.screenshot(path=str(ARTIFACTS / f"dashboard-{_db(request)}.png"), full_page=True)
    chart_png = sentiment.screenshot(path=str(ARTIFACTS / f"sentiment-chart-{_db(request)}.png"))
    assert _distinct_colours(page, shot) > 20
    # bars in three sentiment colours plus grid, text and antialiasing
    assert _distinct_colours(page, chart_png) > 10

    # the data table behind each chart opens
    page.get_by_text("Data table").nth(1).click()
    expect(page.locator("details.chart-data").nth(1).locator("table")).to_be_visible()


@pytest.mark.parametrize("width", [1920, 1400, 1280, 700])
def test_every_main_link_is_on_screen_at_common_widths(page: Page, width: int) -> None:
    """The admin has the most links. None may be cut off behind the search
    box or wrapped onto two lines inside its own box ("Saved / replies" was,
    at 1400 px); a narrow screen gives the bar more rows instead."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/inbox")
    links = page.locator(".topbar nav a")
    assert links.count() >= 8
    nav = page.locator(".topbar nav").bounding_box()
    assert nav is not None
    heights = set()
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None, links.nth(i).inner_text()
        assert box["x"] >= nav["x"] - 1 and box["x"] + box["width"] <= nav["x"] + nav["width"] + 1
        assert box["x"] + box["width"] <= width
        heights.add(round(box["height"]))
    assert len(heights) == 1, heights  # one line of text in each
    scroll, client = page.locator(".topbar nav").evaluate("n => [n.scrollWidth, n.clientWidth]")
    assert scroll <= client
    if width > 800:  # narrower: a touch screen, no shortcuts button
        # it keeps its name when only "?" shows
        expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications")).to_be_visible()
