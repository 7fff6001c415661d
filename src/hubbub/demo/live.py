"""What the live demo listens to: real public endpoints, and queries that find
something on the real Bluesky firehose and on Hacker News.

Kept free of heavy imports: the CLI reads the defaults to build its options.
"""

from __future__ import annotations

import json
from importlib import resources

JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network"
HN_URL = "https://hn.algolia.com/api/v1"
JETSTREAM_SOURCE = "Bluesky firehose (Jetstream)"
# Algolia needs search words; one source per search. Name -> words.
HN_SEARCHES = {"Hacker News: AI": "LLM", "Hacker News: coffee": "coffee"}
HN_INTERVAL = 120  # seconds between polls: a few requests a minute, far below Algolia's limits
# Offline, say so within seconds instead of after the connector's default minute.
JETSTREAM_FAIL_AFTER_ATTEMPTS = 3


def live_queries() -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(
        (resources.files("hubbub.demo") / "live_queries.json").read_text("utf-8")
    )
    return data


def live_sources(
    jetstream_url: str = JETSTREAM_URL, hn_url: str = HN_URL, appview_url: str | None = None
) -> list[tuple[str, str, dict[str, object]]]:
    """(kind, name, settings) of every live-demo source. ``appview_url``: where
    Bluesky authors' handles are asked (None: the connector's default)."""
    bluesky: dict[str, object] = {
        "url": jetstream_url,
        "fail_after_attempts": JETSTREAM_FAIL_AFTER_ATTEMPTS,
    }
    if appview_url is not None:
        bluesky["appview_url"] = appview_url
    found: list[tuple[str, str, dict[str, object]]] = [("bluesky", JETSTREAM_SOURCE, bluesky)]
    for name, words in HN_SEARCHES.items():
        settings = {"query": words, "url": hn_url, "interval": HN_INTERVAL}
        found.append(("hackernews", name, settings))
    return found
