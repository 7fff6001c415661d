"""Replying on Bluesky: an ``app.bsky.feed.post`` record created in our own
repository through the account's PDS.

Credentials: the bluesky source's ``identifier`` (handle or DID),
``app_password`` (an app password, never the account password) and
``pds_url`` (default https://bsky.social). The session
(``com.atproto.server.createSession``) is kept in memory and made again when
the PDS says it expired: Bluesky limits how often an account may log in.

A reply names its parent and its thread's root by strong reference (uri and
cid). The parent is the stored post (its AT URI and the cid Jetstream
delivered); a post inside a thread has its root asked of the PDS
(``app.bsky.feed.getPosts``, which the PDS answers from the AppView), as is the
cid of a post stored without one.

Bluesky has no idempotency key: Hubbub's reply row, committed as "sending"
before the call, is what keeps a retry from posting twice.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from hubbub.engage import http
from hubbub.engage.publishers import (
    PublishedReply,
    Publisher,
    PublishError,
    ReplyRejected,
    SourceAccount,
)
from hubbub.engage.text import URL_RE, graphemes
from hubbub.hookspecs import hookimpl
from hubbub.post import Post

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
DEFAULT_PDS = "https://bsky.social"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
_EXPIRED = {"ExpiredToken", "InvalidToken"}


class BlueskyPublisher:
    platform: ClassVar[str] = PLATFORM
    source_kinds: ClassVar[tuple[str, ...]] = ("bluesky",)
    max_chars = MAX_GRAPHEMES

    def __init__(self, account: SourceAccount) -> None:
        self.pds = str(account.settings.get("pds_url") or DEFAULT_PDS).rstrip("/")
        self.identifier = str(account.settings["identifier"]).lstrip("@")
        self._password = str(account.settings["app_password"])
        self.label = f"Bluesky as @{self.identifier}, with source {account.name!r}"
        self._what = f"Bluesky ({self.pds})"

    @classmethod
    def credentials_missing(cls, account: SourceAccount) -> str | None:
        if not account.settings.get("identifier") or not account.settings.get("app_password"):
            return (
                f"source {account.name!r} has no account to post with "
                "(set its 'identifier' and 'app_password')"
            )
        return None

    @classmethod
    def from_source(cls, account: SourceAccount) -> Publisher:
        return cls(account)

    def can_reply_to(self, post: Post) -> bool:
        return post.platform == PLATFORM and post.external_id.startswith("at://")

    def prepare(self, post: Post, body: str) -> str:
        text = body.strip()
        if not text:
            raise ReplyRejected("the reply is empty")
        length = graphemes(text)
        if length > MAX_GRAPHEMES:
            raise ReplyRejected(
                f"the reply is {length} characters long; Bluesky allows {MAX_GRAPHEMES}"
            )
        if len(text.encode()) > MAX_BYTES:
            raise ReplyRejected(f"the reply is over Bluesky's {MAX_BYTES} bytes")
        return text

    def reply(self, post: Post, body: str, idempotency_key: str) -> PublishedReply:
        with http.client() as client:
            session = self._session(client)
            try:
                return self._create(client, session, post, body)
            except http.PlatformError as exc:
                if exc.code not in _EXPIRED:
                    raise
            _SESSIONS.forget(self._session_key)
            return self._create(client, self._session(client), post, body)

    # -- the calls ----------------------------------------------------------

    def _create(
        self, client: httpx.Client, session: dict[str, str], post: Post, body: str
    ) -> PublishedReply:
        auth = {"Authorization": f"Bearer {session['accessJwt']}"}
        parent, root = self._refs(client, auth, post)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": body,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "reply": {"root": root, "parent": parent},
        }
        facets = link_facets(body)
        if facets:
            record["facets"] = facets
        if post.language:
            record["langs"] = [post.language]
        created = http.request_json(
            client,
            "POST",
            f"{self.pds}/xrpc/com.atproto.repo.createRecord",
            what=self._what,
            headers=auth,
            json={"repo": session["did"], "collection": POST_COLLECTION, "record": record},
        )
        uri = created.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            raise PublishError("Bluesky accepted the reply but sent back no record uri")
        rkey = uri.rsplit("/", 1)[-1]
        author = session.get("handle") or session["did"]
        return PublishedReply(
            external_id=uri, url=f"https://bsky.app/profile/{author}/post/{rkey}", text=body
        )

    def _refs(
        self, client: httpx.Client, auth: dict[str, str], post: Post
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Strong references (uri + cid) to the parent and the thread's root."""
        cid = (post.raw or {}).get("cid")
        if isinstance(cid, str) and cid and not post.thread_root:
            parent = {"uri": post.external_id, "cid": cid}
            return parent, parent  # the post starts its thread
        found = http.request_json(
            client,
            "GET",
            f"{self.pds}/xrpc/app.bsky.feed.getPosts",
            what=self._what,
            headers=auth,
            params={"uris": post.external_id},
        )
        views = found.get("posts")
        view = views[0] if isinstance(views, list) and views else None
        if not isinstance(view, dict) or not isinstance(view.get("cid"), str):
            raise PublishError(f"Bluesky cannot find the post {post.external_id} (deleted?)")
        parent = {"uri": post.external_id, "cid": view["cid"]}
        record = view.get("record")
        reply = record.get("reply") if isinstance(record, dict) else None
        root = reply.get("root") if isinstance(reply, dict) else None
        if isinstance(root, dict) and isinstance(root.get("uri"), str) and root.get("cid"):
            return parent, {"uri": root["uri"], "cid": str(root["cid"])}
        return parent, parent

    @property
    def _session_key(self) -> str:
        secret = hashlib.sha256(self._password.encode()).hexdigest()
        return f"{self.pds}|{self.identifier}|{secret}"

    def _session(self, client: httpx.Client) -> dict[str, str]:
        cached = _SESSIONS.get(self._session_key)
        if cached is not None:
            return cached
        answer = http.request_json(
            client,
            "POST",
            f"{self.pds}/xrpc/com.atproto.server.createSession",
            what=self._what,
            json={"identifier": self.identifier, "password": self._password},
        )
        access, did = answer.get("accessJwt"), answer.get("did")
        if not isinstance(access, str) or not isinstance(did, str):
            raise PublishError("Bluesky's login answer has no session")
        handle = answer.get("handle")
        session = {
            "accessJwt": access,
            "did": did,
            "handle": handle if isinstance(handle, str) else "",
        }
        _SESSIONS.put(self._session_key, session)
        return session


def link_facets(text: str) -> list[dict[str, Any]]:
    """Links in the text as ``app.bsky.richtext.facet#link`` facets: Bluesky
    only makes a link clickable if a facet names its UTF-8 byte range."""
    facets = []
    for found in URL_RE.finditer(text):
        start = len(text[: found.start()].encode())
        end = start + len(found.group().encode())
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": found.group()}],
            }
        )
    return facets


class _SessionCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, dict[str, str]] = {}

    def get(self, key: str) -> dict[str, str] | None:
        with self._lock:
            return self._sessions.get(key)

    def put(self, key: str, session: dict[str, str]) -> None:
        with self._lock:
            self._sessions[key] = session

    def forget(self, key: str) -> None:
        with self._lock:
            self._sessions.pop(key, None)


_SESSIONS = _SessionCache()


@hookimpl
def hubbub_publishers() -> list[Any]:
    return [BlueskyPublisher]
