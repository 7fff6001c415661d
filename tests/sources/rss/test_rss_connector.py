"""RssSource against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pluggy
import pytest
from rss_testkit import FeedServer, Reply, Request, conditional, fixture_bytes

from hubbub import hookspecs
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, Source, SourceError
from hubbub.sources.http import HttpSourceError
from hubbub.sources.rss import connector
from hubbub.sources.rss.connector import RssSource

LAST_MODIFIED = "Mon, 06 Jan 2025 10:00:00 GMT"


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><guid>https://feed.example/{guid}</guid><title>{title}</title>"
        f"<description>{title} body</description></item>"
        for guid, title in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://feed.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


def source(url: str, cursor: dict[str, Any] | None = None, **settings: Any) -> RssSource:
    return RssSource({"url": url, **settings}, cursor)


def test_is_a_source_and_registers_through_the_hook() -> None:
    pm = pluggy.PluginManager("hubbub")
    pm.add_hookspecs(hookspecs)
    pm.register(connector)
    kinds = [k for group in pm.hook.hubbub_source_kinds() for k in group]
    assert kinds == [RssSource]
    assert RssSource.kind == "rss" and RssSource.description
    assert [s["name"] for s in RssSource.settings_help()] == [
        "url",
        "interval",
        "timeout",
        "user_agent",
    ]
    src = source("https://example.com/feed")
    assert isinstance(src, Source)
    src.close()


def test_etag_gives_304_and_nothing_is_redelivered(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed", conditional(fixture_bytes("rss2.xml"), etag='"v1"'))
    src = source(url, user_agent="hubbub-test/1")
    first = src.next_batch()
    assert len(first.posts) == 5
    assert first.cursor is not None and first.cursor["etag"] == '"v1"'

    second = src.next_batch()
    assert second.posts == [] and second.errors == []
    assert second.cursor is None  # a 304 leaves the saved cursor as it is
    sent = feed_server.requests_to("/feed")[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["user-agent"] == "hubbub-test/1"
    assert src.snapshot() == first.cursor


def test_last_modified_gives_304(feed_server: FeedServer) -> None:
    url = feed_server.serve(
        "/feed", conditional(fixture_bytes("atom.xml"), last_modified=LAST_MODIFIED)
    )
    src = source(url)
    assert len(src.next_batch().posts) == 2
    assert src.next_batch().posts == []
    requests = feed_server.requests_to("/feed")
    assert "if-modified-since" not in requests[0].headers
    assert requests[1].headers["if-modified-since"] == LAST_MODIFIED


def test_restart_from_the_cursor_sends_the_validators(feed_server: FeedServer) -> None:
    url = feed_server.serve(
        "/feed", conditional(rss(("1", "One")), etag='"e"', last_modified=LAST_MODIFIED)
    )
    cursor = source(url).next_batch().cursor
    restarted = source(url, cursor)
    batch = restarted.next_batch()
    assert batch.posts == []
    headers = feed_server.requests_to("/feed")[-1].headers
    assert headers["if-none-match"] == '"e"'
    assert headers["if-modified-since"] == LAST_MODIFIED


def test_server_ignoring_conditional_get_does_not_redeliver(feed_server: FeedServer) -> None:
    items = [("1", "One"), ("2", "Two")]
    feed_server.serve("/feed", lambda _r: Reply(200, rss(*items), {"ETag": '"always-new"'}))
    src = source(feed_server.url("/feed"))
    assert [p.title for p in src.next_batch().posts] == ["One", "Two"]
    assert src.next_batch().posts == []

    items.insert(0, ("3", "Three"))
    batch = src.next_batch()
    assert [p.title for p in batch.posts] == ["Three"]

    # and after a restart from the saved cursor
    assert source(feed_server.url("/feed"), batch.cursor).next_batch().posts == []


def test_seen_is_bounded_but_keeps_the_whole_current_feed(feed_server: FeedServer) -> None:
    items = [(str(i), f"Item {i}") for i in range(connector.SEEN_LIMIT + 50)]
    feed_server.serve("/feed", lambda _r: Reply(200, rss(*items)))
    src = source(feed_server.url("/feed"))
    assert len(src.next_batch().posts) == len(items)
    assert src.next_batch().posts == []
    items[:] = [("new", "New")]
    assert [p.title for p in src.next_batch().posts] == ["New"]
    assert len(src.snapshot()["seen"]) == connector.SEEN_LIMIT


def test_charset_in_the_http_header(feed_server: FeedServer) -> None:
    xml = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link>'
        "<description>d</description><item><guid>https://x.example/1</guid>"
        "<description>Ärger über “Preise” – 5 €</description></item></channel></rss>"
    )
    feed_server.serve(
        "/feed",
        Reply(200, xml.encode("cp1252"), {"Content-Type": "text/xml; charset=windows-1252"}),
    )
    post = source(feed_server.url("/feed")).next_batch().posts[0]
    assert post.text == "Ärger über “Preise” – 5 €"


def test_latin1_and_bom_over_http(feed_server: FeedServer) -> None:
    feed_server.serve(
        "/latin1", Reply(200, fixture_bytes("latin1.xml"), {"Content-Type": "application/rss+xml"})
    )
    feed_server.serve(
        "/bom",
        Reply(
            200,
            b"\xef\xbb\xbf" + fixture_bytes("rss1.rdf"),
            {"Content-Type": "application/rdf+xml"},
        ),
    )
    assert (
        source(feed_server.url("/latin1")).next_batch().posts[0].title == "Câmara aprova orçamento"
    )
    assert len(source(feed_server.url("/bom")).next_batch().posts) == 2


def test_redirect_is_followed_and_links_resolve_against_the_final_url(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/old", Reply(301, b"", {"Location": "/blog/feed.xml"}))
    feed_server.serve(
        "/blog/feed.xml",
        Reply(200, fixture_bytes("rss2.xml"), {"Content-Type": "application/rss+xml"}),
    )
    configured = feed_server.url("/old")
    posts = source(configured).next_batch().posts
    widget = next(p for p in posts if p.title == "Widget 2.0 is out")
    # the feed's own <link>s are relative; they resolve against where the feed really is
    assert widget.url == feed_server.url("/posts/widget-2")
    # feed-local guids are scoped by the configured URL, which does not move with redirects
    local = next(p for p in posts if p.title == "Plain item with a local guid")
    assert local.external_id == f"{configured}#42"
    assert [r.path for r in feed_server.requests] == ["/old", "/blog/feed.xml"]


@pytest.mark.parametrize("status", [404, 500, 503])
def test_http_errors_are_source_errors_naming_status_and_url(
    feed_server: FeedServer, status: int
) -> None:
    url = feed_server.serve("/feed", Reply(status, b"oops"))
    with pytest.raises(SourceError) as raised:
        source(url).next_batch()
    assert str(status) in str(raised.value)
    assert url in str(raised.value)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_carried_to_the_runner(feed_server: FeedServer, status: int) -> None:
    url = feed_server.serve("/feed", Reply(status, b"slow down", {"Retry-After": "120"}))
    with pytest.raises(HttpSourceError) as raised:
        source(url).next_batch()
    assert raised.value.retry_after == 120
    assert raised.value.status == status


def test_timeout_is_a_source_error(feed_server: FeedServer) -> None:
    url = feed_server.serve("/slow", Reply(200, rss(("1", "One")), delay=1.5))
    with pytest.raises(SourceError, match="timed out"):
        source(url, timeout=0.2).next_batch()


def test_connection_refused_is_a_source_error() -> None:
    stopped = FeedServer()
    url = stopped.url("/feed")
    stopped.stop()  # bound, then closed: nothing listens on the port
    with pytest.raises(SourceError, match="could not fetch"):
        source(url).next_batch()


def test_html_page_is_a_source_error(feed_server: FeedServer) -> None:
    url = feed_server.serve(
        "/page", Reply(200, fixture_bytes("not-a-feed.html"), {"Content-Type": "text/html"})
    )
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        source(url).next_batch()


def test_truncated_feed_over_http_keeps_entries_with_an_error(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed", Reply(200, fixture_bytes("rss2-truncated.xml")))
    batch = source(url).next_batch()
    assert [p.title for p in batch.posts][:2] == ["First", "Second"]
    assert batch.errors[0].item == "feed"


def test_next_awake_is_last_fetch_plus_interval(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed", Reply(200, rss(("1", "One"))))
    src = source(url, interval=60)
    assert src.next_awake() is None
    before = utcnow()
    src.next_batch()
    awake = src.next_awake()
    assert awake is not None
    assert before + timedelta(seconds=60) <= awake <= utcnow() + timedelta(seconds=60)


def test_next_awake_moves_on_after_a_failure_too(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed", Reply(500))
    src = source(url)
    with pytest.raises(SourceError):
        src.next_batch()
    assert src.next_awake() is not None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "'url' is required"),
        ({"url": "ftp://example.com/feed"}, "http or https"),
        ({"url": "example.com/feed"}, "http or https"),
        ({"url": "https://example.com/f", "interval": 5}, "at least 30"),
        ({"url": "https://example.com/f", "interval": "often"}, "must be a number"),
        ({"url": "https://example.com/f", "timeout": 0}, "timeout must be at least"),
        ({"url": "https://example.com/f", "user_agent": ""}, "user_agent"),
        ({"url": "https://example.com/f", "intervall": 60}, "unknown setting"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RssSource(settings)


def test_defaults() -> None:
    src = RssSource({"url": "https://example.com/feed", "interval": "120"})
    assert (src.interval, src.timeout) == (120, connector.DEFAULT_TIMEOUT)
    assert src.snapshot() == {"etag": None, "last_modified": None, "seen": []}
    src.close()


def test_request_record_helper_is_used(feed_server: FeedServer) -> None:
    # guards the test kit itself: unknown paths are 404s and recorded
    with pytest.raises(SourceError, match="404"):
        source(feed_server.url("/nowhere")).next_batch()
    assert isinstance(feed_server.requests[0], Request)


def test_an_oversized_body_is_a_source_error(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector, "MAX_FEED_BYTES", 1000)
    url = feed_server.serve("/big", Reply(200, rss(*[(str(i), "x" * 100) for i in range(50)])))
    with pytest.raises(SourceError, match="more than 1000 bytes"):
        source(url).next_batch()
