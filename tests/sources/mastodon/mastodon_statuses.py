"""Status JSON in the documented Mastodon API format, for the Mastodon tests."""

from __future__ import annotations

from typing import Any

INSTANCE = "https://social.example"


def status(n: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
    sid = str(110000000000000000 + n)
    return {
        "id": sid,
        "uri": f"{INSTANCE}/users/alice/statuses/{sid}",
        "url": f"{INSTANCE}/@alice/{sid}",
        "created_at": "2025-01-06T10:00:00.000Z",
        "content": f'<p>{text or f"status {n}"} <a href="https://link.example/{n}">link</a></p>',
        "spoiler_text": "",
        "language": "en",
        "visibility": "public",
        "in_reply_to_id": None,
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
        "reblog": None,
        "media_attachments": [],
        "card": None,
        "tags": [{"name": "hubbub", "url": f"{INSTANCE}/tags/hubbub"}],
        "account": {
            "id": "1",
            "acct": "alice",
            "display_name": "Alice",
            "followers_count": 99,
        },
        **extra,
    }
