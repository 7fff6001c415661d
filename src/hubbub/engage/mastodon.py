"""Replying on Mastodon: ``POST /api/v1/statuses`` with the account of a
configured mastodon source (its ``url`` and its access ``token``, which needs
the ``write:statuses`` scope).

* The status to answer is named by its instance-local id. The source that
  ingested the post kept that id (``raw["id"]``); another instance knows the
  status by its uri only, so it is looked up there first with
  ``GET /api/v2/search?resolve=true``.
* The reply starts with the author's ``@acct`` unless it mentions them
  already: Mastodon shows a reply to its author only if they are mentioned.
* Visibility is never wider than the post's (a reply to a followers-only
  status stays followers-only).
* ``Idempotency-Key`` makes a retried request post once (Mastodon remembers
  keys for an hour).
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

import regex

from hubbub.engage import http
from hubbub.engage.publishers import (
    PublishedReply,
    Publisher,
    PublishError,
    ReplyRejected,
    SourceAccount,
)
from hubbub.engage.text import mastodon_length
from hubbub.hookspecs import hookimpl
from hubbub.post import Post

PLATFORM = "mastodon"
MAX_CHARS = 500  # Mastodon's default; counted per mastodon_length
# narrowest first: a reply is never more visible than what it answers
VISIBILITIES = ("direct", "private", "unlisted", "public")


class MastodonPublisher:
    platform: ClassVar[str] = PLATFORM
    source_kinds: ClassVar[tuple[str, ...]] = ("mastodon",)
    max_chars = MAX_CHARS

    def __init__(self, account: SourceAccount) -> None:
        self.source_id = account.id
        self.instance = str(account.settings["url"]).rstrip("/")
        self._token = str(account.settings["token"])
        self.label = f"Mastodon, with source {account.name!r} ({urlsplit(self.instance).netloc})"

    @classmethod
    def credentials_missing(cls, account: SourceAccount) -> str | None:
        if not account.settings.get("url"):
            return f"source {account.name!r} has no instance url"
        if not account.settings.get("token"):
            return (
                f"source {account.name!r} has no access token to post with "
                "(set its 'token' to one with the write:statuses scope)"
            )
        return None

    @classmethod
    def from_source(cls, account: SourceAccount) -> Publisher:
        return cls(account)

    def can_reply_to(self, post: Post) -> bool:
        raw = post.raw or {}
        if post.platform != PLATFORM or raw.get("reblog") or post.enrichments.get("repost"):
            return False  # a boost has no words of its own to answer
        return bool(post.external_id)

    def prepare(self, post: Post, body: str) -> str:
        text = body.strip()
        if not text:
            raise ReplyRejected("the reply is empty")
        handle = (post.author_handle or "").lstrip("@")
        if handle and not _mentions(text, handle):
            text = f"@{handle} {text}"
        length = mastodon_length(text)
        if length > MAX_CHARS:
            raise ReplyRejected(
                f"the reply is {length} characters long as Mastodon counts them "
                f"(with the author's mention, links as 23); the limit is {MAX_CHARS}"
            )
        return text

    def reply(self, post: Post, body: str, idempotency_key: str) -> PublishedReply:
        auth = {"Authorization": f"Bearer {self._token}"}
        with http.client() as client:
            status_id = self._local_id(client, post, auth)
            answer = http.request_json(
                client,
                "POST",
                f"{self.instance}/api/v1/statuses",
                what=f"Mastodon ({urlsplit(self.instance).netloc})",
                headers={**auth, "Idempotency-Key": idempotency_key},
                json={
                    "status": body,
                    "in_reply_to_id": status_id,
                    "visibility": _visibility(post),
                },
            )
        uri, url = answer.get("uri"), answer.get("url")
        if not isinstance(uri, str) or not uri:
            raise PublishError("Mastodon accepted the reply but sent back no status uri")
        return PublishedReply(external_id=uri, url=url if isinstance(url, str) else uri, text=body)

    def _local_id(self, client: Any, post: Post, auth: dict[str, str]) -> str:
        raw = post.raw or {}
        if post.source_id == self.source_id and raw.get("id"):
            return str(raw["id"])
        found = http.request_json(
            client,
            "GET",
            f"{self.instance}/api/v2/search",
            what=f"Mastodon ({urlsplit(self.instance).netloc})",
            headers=auth,
            params={"q": post.external_id, "type": "statuses", "resolve": "true", "limit": "1"},
        )
        statuses = found.get("statuses")
        if isinstance(statuses, list) and statuses and isinstance(statuses[0], dict):
            local_id = statuses[0].get("id")
            if local_id:
                return str(local_id)
        raise PublishError(
            f"{urlsplit(self.instance).netloc} cannot find the post {post.external_id} to reply to"
        )


def _mentions(text: str, handle: str) -> bool:
    pattern = rf"(?<![\w@])@{regex.escape(handle)}(?![\w@])"
    return regex.search(pattern, text, regex.IGNORECASE) is not None


def _visibility(post: Post) -> str:
    visibility = (post.raw or {}).get("visibility")
    return visibility if visibility in VISIBILITIES else "public"


@hookimpl
def hubbub_publishers() -> list[Any]:
    return [MastodonPublisher]
