"""html_to_text: the shared HTML -> safe plain text step."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from hubbub.sources.html import collapse_text, html_to_text


def test_blocks_become_lines_and_entities_are_decoded() -> None:
    text, _ = html_to_text(
        "<h2>Title</h2><p>One &amp; two&nbsp;three</p><p>Next<br>line</p><div>div</div>"
    )
    assert text == "Title\n\nOne & two three\n\nNext\nline\n\ndiv"  # nbsp collapses too


def test_list_items_are_one_per_line() -> None:
    text, _ = html_to_text("<ul>\n  <li>a</li>\n  <li>b <i>c</i></li>\n</ul>after")
    assert text == "a\nb c\n\nafter"


def test_scripts_styles_and_comments_are_dropped() -> None:
    text, _ = html_to_text(
        "<p>keep</p><script>document.write('<p>no</p>')</script><style>p{}</style>"
        "<!-- hidden --><noscript>nojs</noscript><p>also keep</p>"
    )
    assert text == "keep\n\nalso keep"


def test_escaped_markup_stays_text() -> None:
    text, _ = html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert text == "<script>alert(1)</script>"  # the UI escapes it; it is words here


def test_whitespace_collapses() -> None:
    text, _ = html_to_text("  lots   of\n\n spaces\t<p>\n\n\n</p><p></p>end  ")
    assert text == "lots of spaces\n\nend"


def test_links_are_absolute_http_only_and_unique() -> None:
    _, links = html_to_text(
        '<a href="/a">a</a> <a href="b?x=1">b</a> <a href="https://other.org/c">c</a>'
        ' <a href="/a">again</a> <a href="javascript:alert(1)">j</a> <a href="mailto:x@y.z">m</a>'
        ' <a href="#top">top</a> <a>no href</a> <a href="http://[bad">bad</a>',
        "https://site.example/dir/page.html",
    )
    assert links == [
        "https://site.example/a",
        "https://site.example/dir/b?x=1",
        "https://other.org/c",
        "https://site.example/dir/page.html#top",
    ]


def test_relative_links_without_a_base_are_dropped() -> None:
    assert html_to_text('<a href="/a">a</a> <a href="http://x.org/">x</a>', None)[1] == [
        "http://x.org/"
    ]


def test_unclosed_and_malformed_markup() -> None:
    assert html_to_text("<p>open <b>bold <i>both", None)[0] == "open bold both"
    assert html_to_text("<div>before<script>never closed", None)[0] == "before"
    assert html_to_text("a < b > c", None)[0] == "a < b > c"


@given(st.text())
def test_escaped_text_comes_back_as_the_same_words(s: str) -> None:
    text, links = html_to_text(html.escape(s), "https://example.com/")
    assert text.split() == collapse_text(s).split()
    assert links == []


@given(st.text(alphabet=st.sampled_from(list("<>/&;=\"' abcpscriptdivhref:\n"))))
def test_arbitrary_markup_never_crashes(s: str) -> None:
    text, links = html_to_text(s, "https://example.com/")
    assert isinstance(text, str)
    assert all(link.startswith(("http://", "https://")) for link in links)
