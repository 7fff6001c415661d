"""Every real recorded feed in the shared fixtures (../shared/fixtures/feeds,
MIT-licensed, see its LICENSE; read in place, never copied into the repo)
either becomes posts with text and ids, or fails cleanly with SourceError."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbub.sources.base import SourceError
from hubbub.sources.rss.parse import parse_feed

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_FEEDS = REPO_ROOT / ".." / "shared" / "fixtures" / "feeds"


def _feed_files() -> list[object]:
    if not SHARED_FEEDS.is_dir():
        reason = f"shared fixtures not found at {SHARED_FEEDS.resolve()}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-shared-fixtures")]
    files = sorted(
        p for p in SHARED_FEEDS.iterdir() if p.is_file() and not p.name.startswith("LICENSE")
    )
    return [pytest.param(p, id=p.name) for p in files]


@pytest.mark.parametrize("path", _feed_files())
def test_recorded_feed_parses_or_fails_cleanly(path: Path) -> None:
    feed_url = (
        "https://www.reddit.com/.rss"
        if "reddit" in path.name
        else f"https://feeds.example.com/{path.name}"
    )
    try:
        feed = parse_feed(
            path.read_bytes(),
            content_type=None,
            feed_url=feed_url,
            fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
    except SourceError as exc:
        assert str(exc)
        return
    # A feed that parses accounts for its entries: as posts, or as errors naming them.
    assert feed.posts or feed.errors
    for post in feed.posts:
        assert post.text.strip(), post
        assert post.external_id.strip(), post
        assert post.created_at is not None
        assert "<script" not in post.text.lower()
        assert len(json.dumps(post.raw)) < 8192
    assert len({p.external_id for p in feed.posts}) == len(feed.posts)
