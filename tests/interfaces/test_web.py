"""The web UI over a real workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from hubbub.config import Settings
from hubbub.post import utcnow
from hubbub.store.tables import listening_queries, sources

from .seed import run_failing_feed, run_file_source


def csrf_token(client: TestClient, url: str = "/queries") -> str:
    page = client.get(url).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "page has no CSRF field"
    return found.group(1)


def post_ids_on(html: str) -> list[str]:
    return re.findall(r'<article class="post" id="post-(\d+)"', html)


def test_every_page_renders(app_client: TestClient, seeded: dict[str, int]) -> None:
    pages = {
        "/": "Mentions",
        "/search": "Query syntax",
        "/queries": "Acme brand",
        "/queries/new": "New listening query",
        f"/queries/{seeded['acme']}": "Edit “Acme brand”",
        "/sources": "Add an RSS or Atom feed",
        "/dashboard": "Sentiment per day",
        "/api/docs": "/api/v1/posts",
    }
    for url, expected in pages.items():
        r = app_client.get(url)
        assert r.status_code == 200, url
        assert expected in r.text, url
        assert '<html lang="en">' in r.text
        assert 'href="#main"' in r.text  # skip link
    nav = app_client.get("/queries").text
    assert '<a href="/queries" aria-current="page"' in nav
    csp = app_client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert app_client.get("/static/app.css").status_code == 200
    assert app_client.get("/static/app.js").status_code == 200
    missing = app_client.get("/queries/999999")
    assert missing.status_code == 404 and "No such query" in missing.text
    assert app_client.get("/no/such/page").status_code == 404


def test_no_page_loads_anything_from_another_origin(app_client: TestClient) -> None:
    for url in ("/", "/dashboard", "/sources", "/queries", "/search?q=acme", "/api/docs"):
        html = app_client.get(url).text
        for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not attr.startswith(("http://", "https://", "//")) or "example" in attr, (
                url,
                attr,
            )


def test_mentions_show_author_badges_and_duplicates(app_client: TestClient) -> None:
    html = app_client.get("/").text
    assert "Fan Number 1" in html and "@fan1" in html and "100 followers" in html
    assert 'class="badge badge-negative"' in html
    assert "1 of 3 copies" in html and "2 of 3 copies" in html and "3 of 3 copies" in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert 'class="tag" href="/?query_id=' in html  # matched queries shown


def test_mentions_filters_and_pagination(app_client: TestClient, seeded: dict[str, int]) -> None:
    def texts(params: dict[str, Any]) -> str:
        r = app_client.get("/", params=params)
        assert r.status_code == 200
        return r.text

    negative = texts({"sentiment": "negative"})
    assert len(post_ids_on(negative)) == 1 and "terrible, awful" in negative
    german = texts({"language": "de"})
    assert len(post_ids_on(german)) == 1 and "Amboss" in german
    rss = texts({"platform": "rss"})
    assert len(post_ids_on(rss)) == 1 and "Globex" in rss
    refunds = texts({"query_id": seeded["refunds"]})
    assert len(post_ids_on(refunds)) == 2
    recent = texts({"range": "24h"})
    assert "Globex" not in recent and "wonderful" in recent
    assert "No posts match" in texts({"platform": "nowhere"})
    today = utcnow().date()
    day_of_p5 = (utcnow() - timedelta(hours=80)).date().isoformat()
    one_day = texts({"since": day_of_p5, "until": day_of_p5})
    assert "Globex" in one_day and "wonderful" not in one_day
    assert "Globex" not in texts({"since": today.isoformat()})
    assert len(post_ids_on(texts({"since": "not-a-date"}))) == 10  # ignored, not an error

    import hubbub.interfaces.web.views_stream as stream_view

    saved = stream_view.PAGE_SIZE
    stream_view.PAGE_SIZE = 4  # small pages, real data
    try:
        first = app_client.get("/").text
        found = re.search(r'href="\?before_id=(\d+)" rel="next"', first)
        assert found
        second = app_client.get("/", params={"before_id": found.group(1)}).text
        assert not set(post_ids_on(first)) & set(post_ids_on(second))
        assert len(post_ids_on(second)) == 4
    finally:
        stream_view.PAGE_SIZE = saved


def test_mentions_page_runs_a_fixed_handful_of_queries(app_client: TestClient) -> None:
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        app_client.get("/")
        full_page = len(statements)
        statements.clear()
        app_client.get("/", params={"platform": "rss"})  # one post instead of ten
        one_post = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # the page's own 8 at most, plus the session lookup (one statement with the teams)
    # and the header's unread-notifications count
    assert full_page <= 10, full_page
    assert full_page == one_post  # no query per post


def test_search_highlights_and_shows_syntax_errors(app_client: TestClient) -> None:
    ok = app_client.get("/search", params={"q": "refund"})
    assert ok.status_code == 200
    assert "<mark>refund</mark>" in ok.text
    assert len(post_ids_on(ok.text)) == 2
    bad = app_client.get("/search", params={"q": "acme AND (refund"})
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text and "Query error" in bad.text
    caret = re.search(r'<pre class="caret"[^>]*>(.*?)</pre>', bad.text, re.S)
    assert caret
    line, marker = caret.group(1).split("\n")
    assert line == "acme AND (refund" and marker == " " * len(line) + "^"


def test_state_changing_posts_need_the_csrf_token(
    app_client: TestClient, engine: Engine, seeded: dict[str, int]
) -> None:
    attempts = [
        ("/queries", {"name": "Sneaky", "query": "acme"}),
        (f"/queries/{seeded['acme']}/delete", {}),
        ("/sources", {"url": "https://evil.example/feed"}),
    ]
    token = csrf_token(app_client)
    for url, data in attempts:
        assert app_client.post(url, data=data).status_code == 403
        forged = app_client.post(url, data={**data, "csrf_token": token + "x"})
        assert forged.status_code == 403
    # a token that is validly signed but is not this browser's cookie
    other = TestClient(app_client.app)
    other_token = csrf_token(other)
    wrong = app_client.post(
        "/queries", data={"name": "Sneaky", "query": "acme", "csrf_token": other_token}
    )
    assert wrong.status_code == 403
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(select(listening_queries.c.name))}
        assert "Sneaky" not in names
        assert conn.execute(select(sources.c.id)).first() is None


def test_query_create_edit_test_and_delete(app_client: TestClient, engine: Engine) -> None:
    token = csrf_token(app_client)
    bad = app_client.post(
        "/queries",
        data={"name": "Broken", "query": "acme OR", "enabled": "on", "csrf_token": token},
    )
    assert bad.status_code == 400 and "Query error" in bad.text and "acme OR\n       ^" in bad.text

    tested = app_client.post(
        "/queries",
        data={"name": "Anvils", "query": "anvil", "action": "test", "csrf_token": token},
    )
    assert tested.status_code == 200
    assert "Test: 1 stored post match" in tested.text and "<mark>anvil</mark>" in tested.text

    created = app_client.post(
        "/queries",
        data={"name": "Anvils", "query": "anvil OR amboss", "enabled": "on", "csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    with engine.connect() as conn:
        query_id = conn.execute(
            select(listening_queries.c.id).where(listening_queries.c.name == "Anvils")
        ).scalar_one()
    # saving goes to the editor, where the background re-match reports its progress
    assert created.headers["location"] == f"/queries/{query_id}?done=created"
    editor = app_client.get(created.headers["location"]).text
    assert "Query created" in editor and "Done: 2 stored posts match." in editor
    listing = app_client.get("/queries").text
    row = re.search(rf'<tr id="query-{query_id}">(.*?)</tr>', listing, re.S)
    assert row and re.search(r'title="Show matching mentions">2<', row.group(1))

    edited = app_client.post(
        f"/queries/{query_id}",
        data={"name": "Anvils", "query": "anvil", "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    with engine.connect() as conn:
        saved = conn.execute(
            select(listening_queries).where(listening_queries.c.id == query_id)
        ).one()
    assert saved.query == "anvil" and saved.enabled is False  # unchecked box

    toggled = app_client.post(
        f"/queries/{query_id}/enabled", data={"enabled": "1", "csrf_token": token}
    )
    assert toggled.status_code == 200  # followed the redirect
    with engine.connect() as conn:
        assert conn.execute(
            select(listening_queries.c.enabled).where(listening_queries.c.id == query_id)
        ).scalar_one()

    deleted = app_client.post(f"/queries/{query_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 200 and "Query deleted" in deleted.text
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(listening_queries.c.id).where(listening_queries.c.id == query_id)
            ).first()
            is None
        )


def test_sources_page_health_errors_and_changes(
    app_client: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    run_file_source(engine, settings, tmp_path)
    dead = run_failing_feed(engine, settings)
    html = app_client.get("/sources").text
    assert "forum export" in html and "dead feed" in html
    assert 'class="state state-ok"' in html and 'class="state state-backing-off"' in html
    assert "1 failure in a row" in html
    assert "Recent ingest errors" in html and "line 2" in html

    token = csrf_token(app_client, "/sources")
    bad = app_client.post("/sources", data={"url": "not a url", "csrf_token": token})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    added = app_client.post(
        "/sources",
        data={"url": "https://feeds.example/acme.xml", "name": "Acme feed", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "Acme feed" in app_client.get("/sources").text

    app_client.post(f"/sources/{dead}/disable", data={"csrf_token": token})
    with engine.connect() as conn:
        assert (
            conn.execute(select(sources.c.enabled).where(sources.c.id == dead)).scalar_one()
            is False
        )
    app_client.post(f"/sources/{dead}/remove", data={"csrf_token": token})
    with engine.connect() as conn:
        assert conn.execute(select(sources.c.id).where(sources.c.id == dead)).first() is None


def test_dashboard_charts_are_accessible_inline_svg(app_client: TestClient) -> None:
    html = app_client.get("/dashboard", params={"days": "7"}).text
    svgs = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    volume, sentiment = svgs
    assert volume.count('class="line"') == 3  # all posts + two queries
    assert sentiment.count('class="bar"') >= 3
    assert html.count('<details class="chart-data">') == 2
    assert "<script" not in html.split("</head>", 1)[1]  # no inline scripts in the body


def test_posts_in_other_languages_are_shown_as_not_rated(app_client: TestClient) -> None:
    # the seed's German post went through the pipeline: language "de", sentiment not rated
    html = app_client.get("/dashboard", params={"days": "7"}).text
    stat = re.search(
        r'<span class="stat-value">(\d+)</span><span class="stat-label">Not rated', html
    )
    assert stat and stat.group(1) == "1"
    sentiment = re.findall(r"<svg class=\"chart\".*?</svg>", html, re.S)[1]
    hatched = re.search(r'<pattern id="(hatch\d+)"', sentiment)
    assert hatched
    assert re.search(rf'fill="url\(#{hatched.group(1)}\)"><title>[^<]*Not rated: 1<', sentiment)
    assert '<li><span class="swatch" style="background:repeating-linear-gradient(45deg' in html
    stream = app_client.get("/", params={"q": "Amboss"}).text
    card = re.search(
        r"<article(?:(?!</article>).)*Amboss(?:(?!</article>).)*</article>", stream, re.S
    )
    assert card and 'class="badge badge-unrated"' in card.group(0)
    assert "the post is in 'de'" in card.group(0)
    assert "badge-negative" not in card.group(0) and "badge-positive" not in card.group(0)


def test_untrusted_post_content_is_escaped(app_client: TestClient) -> None:
    for url in ("/", "/search?q=acme", "/search?q=script"):
        html = app_client.get(url).text
        assert "<script>alert(1)</script>" not in html
        if url.endswith("script"):  # escaped first, then the matches wrapped
            assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in html
        else:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img" not in html  # only ever present as escaped text
        assert not re.search(r"<[^>]*\sonerror=", html)
        assert "&lt;img src=x onerror=alert(2)&gt;" in html
        assert 'href="javascript:' not in html.lower()
        assert not re.search(r"href=\"\s*javascript:", html, re.I)
    stream = app_client.get("/").text
    assert "&#34;&gt;&lt;img src=x onerror=alert(3)&gt;" in stream  # the author's name
    article = re.search(
        r"<article[^>]*>(?:(?!</article>).)*alert\(1\)(?:(?!</article>).)*</article>", stream, re.S
    )
    assert article, "the XSS post is shown"
    assert 'class="post-link" href' not in article.group(0)
    assert 'class="post-link unsafe"' in article.group(0)
    assert "javascript:alert(4)" in article.group(0)  # shown as text, not a link


def test_search_box_input_is_escaped(app_client: TestClient) -> None:
    html = app_client.get("/search", params={"q": '"><script>alert(5)</script>'}).text
    assert "<script>alert(5)" not in html
    assert "&#34;&gt;&lt;script&gt;alert(5)" in html or "&quot;&gt;&lt;script&gt;alert(5)" in html
