"""parse_feed on the fixture feeds: mapping, encodings, broken documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from rss_testkit import fixture_bytes

from hubbub.post import Post
from hubbub.sources.base import SourceError
from hubbub.sources.rss.parse import ParsedFeed, parse_feed

FETCHED_AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
BLOG = "https://blog.example.com/feed.xml"


def parse(body: bytes, feed_url: str = BLOG, content_type: str | None = None) -> ParsedFeed:
    return parse_feed(body, content_type=content_type, feed_url=feed_url, fetched_at=FETCHED_AT)


def by_title(feed: ParsedFeed) -> dict[str | None, Post]:
    return {post.title: post for post in feed.posts}


def test_rss2_entry_maps_to_a_post() -> None:
    feed = parse(fixture_bytes("rss2.xml"))
    assert feed.feed_title == "Acme Widgets Blog"
    post = by_title(feed)["Widget 2.0 is out"]
    assert post.platform == "rss"
    assert post.external_id == "urn:uuid:1b7e7f6a-0001-4000-8000-000000000001"
    assert post.url == "https://blog.example.com/posts/widget-2"  # relative link resolved
    assert post.created_at == datetime(2025, 1, 6, 9, 30, tzinfo=UTC)
    assert post.author_name == "Jo Writer"
    assert post.author_handle == "jo@example.com"
    # content:encoded wins over the shorter description
    assert post.text == "The new widget & friends.\n\nRead the docs or a review."
    assert post.links == [
        "https://blog.example.com/docs/widget",
        "https://other.example.org/review",
        "https://cdn.example.com/widget.mp3",
    ]


def test_script_in_content_never_survives_as_markup() -> None:
    post = by_title(parse(fixture_bytes("rss2.xml")))["Widget 2.0 is out"]
    assert "<" not in post.text
    assert "alert" not in post.text


def test_raw_is_small_and_json_safe() -> None:
    for post in parse(fixture_bytes("rss2.xml")).posts:
        assert post.raw is not None
        encoded = json.dumps(post.raw)
        assert len(encoded) < 4096
        assert post.raw["feed_url"] == BLOG
    widget = by_title(parse(fixture_bytes("rss2.xml")))["Widget 2.0 is out"]
    assert widget.raw is not None
    assert widget.raw["enclosures"][0]["href"] == "https://cdn.example.com/widget.mp3"


def test_local_guid_is_scoped_to_its_feed() -> None:
    post = by_title(parse(fixture_bytes("rss2.xml")))["Plain item with a local guid"]
    assert post.external_id == f"{BLOG}#42"
    assert post.text == "Escaped HTML description"


def test_entries_without_ids_or_dates() -> None:
    posts = by_title(parse(fixture_bytes("rss2.xml")))
    no_guid = posts["No guid, no date"]
    assert no_guid.external_id == "https://blog.example.com/posts/no-guid"
    assert no_guid.created_at == FETCHED_AT

    title_only = posts["Only a title"]
    assert title_only.text == "Only a title"  # no body: the title is the text
    assert title_only.external_id.startswith("sha256:")

    text_only = posts[None]
    assert text_only.text == "Text only, no title, no link, no guid"
    assert text_only.external_id.startswith("sha256:")
    assert text_only.external_id != title_only.external_id
    # hashed ids are stable from one fetch to the next
    again = by_title(parse(fixture_bytes("rss2.xml")))
    assert again[None].external_id == text_only.external_id


def test_an_empty_entry_is_an_item_error_and_the_rest_are_kept() -> None:
    feed = parse(fixture_bytes("rss2.xml"))
    assert len(feed.posts) == 5
    assert [e.item for e in feed.errors] == ["entry 6"]
    assert "neither a title nor any content" in feed.errors[0].message


def test_rss1() -> None:
    feed = parse(fixture_bytes("rss1.rdf"), "https://science.example.org/rss")
    assert feed.errors == []
    first, second = feed.posts
    assert first.external_id == "https://science.example.org/a/1"
    assert first.text == "Fungi like sugar."
    assert first.author_name == "Hines, P. J."
    assert first.created_at == datetime(2017, 6, 15, 17, 29, 47, tzinfo=UTC)
    assert second.text == "Stars in a jar"


def test_atom() -> None:
    feed = parse(fixture_bytes("atom.xml"), "https://news.example.net/feeds/all.atom")
    assert feed.errors == []
    launch, updated = feed.posts
    assert launch.external_id == "tag:news.example.net,2025:entry-1"
    assert launch.title == "Launch day"  # a type="html" title is text too
    assert launch.url == "https://news.example.net/stories/launch"  # resolved against xml:base
    assert launch.text == "Launch\n\nfirst\nsecond related"  # the <style> is gone
    assert launch.links == ["https://news.example.net/feeds/related"]
    assert launch.created_at == datetime(
        2025, 2, 1, 7, 0, tzinfo=UTC
    )  # published wins over updated
    assert launch.author_name == "Ana Lima"
    assert updated.created_at == datetime(2025, 1, 15, 8, 0, tzinfo=UTC)
    # a text/plain summary is taken literally, not parsed as HTML
    assert updated.text == "A plain-text summary with a <tag> in it."


def test_latin1_declared_in_the_xml() -> None:
    body = fixture_bytes("latin1.xml")
    assert "orçamento".encode() not in body  # really latin-1 on disk
    feed = parse(body, "https://jn.example.pt/rss")
    assert feed.feed_title == "Jornal de Notícias"
    assert feed.posts[0].title == "Câmara aprova orçamento"
    assert feed.posts[0].text == "A câmara municipal aprovou o orçamento à noite."


def test_charset_from_the_http_header() -> None:
    xml = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Café</title>'
        "<link>https://x.example/</link><description>d</description>"
        "<item><guid>https://x.example/1</guid><title>Preis: 5 €</title>"
        "<description>Grüße – “quoted”</description></item></channel></rss>"
    )
    body = xml.encode("windows-1252")
    feed = parse(
        body, "https://x.example/rss", content_type="application/rss+xml; charset=windows-1252"
    )
    assert feed.posts[0].title == "Preis: 5 €"
    assert feed.posts[0].text == "Grüße – “quoted”"


def test_utf8_with_bom() -> None:
    feed = parse(
        b"\xef\xbb\xbf" + fixture_bytes("atom.xml"), "https://news.example.net/feeds/all.atom"
    )
    assert feed.errors == []
    assert len(feed.posts) == 2


@pytest.mark.parametrize(
    "body",
    [fixture_bytes("not-a-feed.html"), b"\x00\x01garbage\xff\xfe", b"", b"just some text"],
    ids=["html-page", "binary", "empty", "text"],
)
def test_not_a_feed_is_a_source_error(body: bytes) -> None:
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        parse(body, content_type="text/html")


def test_truncated_feed_keeps_its_entries_and_reports_the_problem() -> None:
    feed = parse(fixture_bytes("rss2-truncated.xml"), "https://cut.example.com/rss")
    assert [p.title for p in feed.posts][:2] == ["First", "Second"]
    assert feed.errors and feed.errors[0].item == "feed"
    assert "not well-formed" in feed.errors[0].message


def test_reddit_feeds_are_platform_reddit_with_reddit_ids() -> None:
    feed = parse(fixture_bytes("reddit.xml"), "https://www.reddit.com/r/Python/.rss")
    post, comment = feed.posts
    assert post.platform == comment.platform == "reddit"
    assert post.external_id == "t3_1abcde"
    assert comment.external_id == "t1_kx9z1"
    assert post.author_handle == "snake_fan"
    assert comment.author_handle == "other"
    assert post.text == "Is Hubbub any good?"  # HTML comments dropped


def test_other_hosts_are_platform_rss() -> None:
    feed = parse(fixture_bytes("reddit.xml"), "https://notreddit.com/feed")
    assert {p.platform for p in feed.posts} == {"rss"}
