"""HTML -> safe, readable plain text plus the links it contains.

Shared by every connector that receives HTML (RSS, Mastodon). The result is
plain text, never markup: the web UI escapes it on display, so all this has to
do is keep the words, drop what is not meant to be read (scripts, styles), and
lay blocks out on their own lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Elements whose content is never text a person reads.
_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object"}
)
# Elements that start and end a line of their own.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
_PARAGRAPHS = frozenset(
    {"p", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "figure"}
)

_SPACES = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# C0/C1 control characters that are not whitespace have no place in text
# (the whitespace ones, e.g. \x0c or \x85, collapse to a space like any other).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_NEWLINES = re.compile(r"\r\n?")

_LINE = "\n"
_PARAGRAPH = "\n\n"


class _TextExtractor(HTMLParser):
    def __init__(self, base_url: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip_stack: list[str] = []
        self._last_break_was_block = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_stack.append(tag)
            return
        if self._skip_stack:
            return
        if tag == "br":
            self.parts.append(_LINE)  # explicit: several <br> are several lines
            self._last_break_was_block = False
        elif tag in _BLOCKS:
            self._block_break(tag)
        elif tag in ("td", "th"):
            self.parts.append(" ")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self._add_link(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <p/>: a start without content; never opens a skipped region.
        if tag in _SKIPPED:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skip_stack:
            if tag in self._skip_stack:
                # Close the innermost matching element (and anything left open inside it).
                while self._skip_stack and self._skip_stack.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self._block_break(tag)

    def _block_break(self, tag: str) -> None:
        # Adjacent block boundaries (</li><li>, </p> <p>) make one break, not several.
        wanted = _PARAGRAPH if tag in _PARAGRAPHS else _LINE
        while self.parts and self.parts[-1].isspace() and self.parts[-1] not in (_LINE, _PARAGRAPH):
            self.parts.pop()
        if self.parts and self.parts[-1] in (_LINE, _PARAGRAPH):
            if self.parts[-1] == _LINE and wanted == _PARAGRAPH and self._last_break_was_block:
                self.parts[-1] = _PARAGRAPH
            elif self._last_break_was_block:
                return
        self.parts.append(wanted)
        self._last_break_was_block = True

    def handle_data(self, data: str) -> None:
        if not self._skip_stack:
            text = _ANY_SPACE.sub(" ", data)  # newlines in HTML source are just spaces
            self.parts.append(text)
            if not text.isspace():
                self._last_break_was_block = False

    def _add_link(self, href: str) -> None:
        href = href.strip()
        try:
            absolute = urljoin(self.base_url, href) if self.base_url else href
            parts = urlsplit(absolute)
        except ValueError:  # malformed URL (e.g. a bad IPv6 host): not a link
            return
        if parts.scheme in ("http", "https") and parts.netloc and absolute not in self.links:
            self.links.append(absolute)


def html_to_text(html: str, base_url: str | None = None) -> tuple[str, list[str]]:
    """Return ``(text, links)`` for an HTML fragment or document.

    ``text``: block elements become line breaks, entities are decoded, scripts
    and styles are dropped, runs of whitespace collapse to one space and runs
    of blank lines to one. ``links``: the absolute http(s) targets of ``<a href>``
    in document order without duplicates, relative ones resolved against
    ``base_url``.
    """
    parser = _TextExtractor(base_url)
    parser.feed(html)
    parser.close()
    return collapse_text("".join(parser.parts)), parser.links


def collapse_text(text: str) -> str:
    """Collapse whitespace the way ``html_to_text`` does, for text that was never HTML."""
    text = _CONTROLS.sub("", _NEWLINES.sub("\n", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
