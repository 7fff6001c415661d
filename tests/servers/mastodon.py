"""A Mastodon instance on 127.0.0.1 for tests: enough of the REST API for
Hubbub to listen (the public timeline) and to answer (posting a status).

* ``GET /api/v1/timelines/public``: the statuses it holds, newest first, with
  ``limit``, ``min_id`` and ``since_id`` as Mastodon pages them.
* ``POST /api/v1/statuses`` (JSON or form body): checks the Bearer token and
  its ``write:statuses`` scope, ``in_reply_to_id``, the 500-character limit;
  a repeated ``Idempotency-Key`` of the same token answers the status it made
  the first time, as Mastodon does. The status joins the timeline.
* ``GET /api/v2/search?q=<uri>&resolve=true``: a status by its uri.

Answers follow the documented Status entity (id, uri, url, created_at,
content as HTML, in_reply_to_id, visibility, account, mentions, ...).
``fail_next(status, message)`` scripts the next post to fail the way
Mastodon fails (``{"error": message}``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from servers.jsonhttp import Answer, JsonServer, Request

STATUSES_PATH = "/api/v1/statuses"
LIMIT = 500
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"(?<![\w@])@(\w+)(?:@([\w.-]+\w))?")


@dataclass
class Token:
    username: str
    scopes: set[str] = field(default_factory=lambda: {"read", "write"})

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or scope.split(":")[0] in self.scopes


class MastodonServer(JsonServer):
    def __init__(self, domain: str = "social.example") -> None:
        super().__init__()
        self.domain = domain
        self.accounts: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, Token] = {}
        self.statuses: list[dict[str, Any]] = []  # oldest first
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self._failures: list[Answer] = []
        self._next = 0

    # -- test set-up ----------------------------------------------------------

    def add_account(self, username: str, display_name: str = "", followers: int = 10) -> None:
        with self.lock:
            n = len(self.accounts) + 1
            self.accounts[username] = {
                "id": str(n),
                "username": username,
                "acct": username,
                "display_name": display_name,
                "url": f"https://{self.domain}/@{username}",
                "followers_count": followers,
                "following_count": 1,
                "statuses_count": 0,
                "bot": False,
                "created_at": "2024-01-01T00:00:00.000Z",
            }

    def add_token(self, token: str, username: str, scopes: set[str] | None = None) -> None:
        with self.lock:
            if username not in self.accounts:
                self.add_account(username, username.title())
            self.tokens[token] = Token(username, scopes or {"read", "write"})

    def add_status(
        self, username: str, text: str, *, in_reply_to_id: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """A status someone posted on this instance (it appears in the timeline)."""
        with self.lock:
            if username not in self.accounts:
                self.add_account(username, username.title())
            return self._make_status(username, text, in_reply_to_id, "public", extra)

    def fail_next(self, status: int, message: str) -> None:
        with self.lock:
            self._failures.append((status, {"error": message}))

    def posted(self) -> list[Request]:
        """The POST /api/v1/statuses requests received, in order."""
        return self.requests_to("POST", STATUSES_PATH)

    def status_by_id(self, status_id: str) -> dict[str, Any] | None:
        with self.lock:
            return next((s for s in self.statuses if s["id"] == status_id), None)

    # -- the API ------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        if request.method == "GET" and request.path in (
            "/api/v1/timelines/public",
            "/api/v1/timelines/home",
        ):
            return 200, self._timeline(request)
        if request.method == "GET" and request.path == "/api/v2/search":
            return self._search(request)
        if request.method == "POST" and request.path == STATUSES_PATH:
            return self._post_status(request)
        return 404, {"error": "Record not found"}

    def _authorized(self, request: Request, scope: str) -> Token | Answer:
        token = self.tokens.get(request.bearer() or "")
        if token is None:
            return 401, {"error": "The access token is invalid"}
        if not token.allows(scope):
            return 403, {"error": "This action is outside the authorized scopes"}
        return token

    def _post_status(self, request: Request) -> Answer:
        token = self._authorized(request, "write:statuses")
        if not isinstance(token, Token):
            return token
        key = request.headers.get("idempotency-key")
        if key and (request.bearer() or "", key) in self._by_key:
            return 200, self._by_key[(request.bearer() or "", key)]
        if self._failures:
            return self._failures.pop(0)
        form = request.form()
        text = str(form.get("status") or "")
        if not text.strip():
            return 422, {"error": "Validation failed: Text can't be blank"}
        if _length(text) > LIMIT:
            return 422, {"error": f"Validation failed: Text character limit of {LIMIT} exceeded"}
        parent_id = form.get("in_reply_to_id")
        if parent_id and self.status_by_id(str(parent_id)) is None:
            return 404, {"error": "Record not found"}
        visibility = str(form.get("visibility") or "public")
        status = self._make_status(
            token.username, text, str(parent_id) if parent_id else None, visibility, {}
        )
        if key:
            self._by_key[(request.bearer() or "", key)] = status
        return 200, status

    def _timeline(self, request: Request) -> list[dict[str, Any]]:
        limit = int(request.query.get("limit", ["20"])[0])
        min_id = request.query.get("min_id", [None])[0]
        since_id = request.query.get("since_id", [None])[0]
        public = [s for s in self.statuses if s["visibility"] in ("public", "unlisted")]
        if min_id:  # the page just after min_id, oldest of them first taken
            newer = [s for s in public if int(s["id"]) > int(min_id)][:limit]
            return list(reversed(newer))
        if since_id:
            public = [s for s in public if int(s["id"]) > int(since_id)]
        return list(reversed(public))[:limit]

    def _search(self, request: Request) -> Answer:
        token = self._authorized(request, "read:search")
        if not isinstance(token, Token):
            return token
        q = request.query.get("q", [""])[0]
        found = [s for s in self.statuses if q in (s["uri"], s["url"])]
        return 200, {"accounts": [], "statuses": found[:1], "hashtags": []}

    def _make_status(
        self,
        username: str,
        text: str,
        in_reply_to_id: str | None,
        visibility: str,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        self._next += 1
        sid = str(113000000000000000 + self._next)
        account = self.accounts[username]
        account["statuses_count"] += 1
        parent = self.status_by_id(in_reply_to_id) if in_reply_to_id else None
        mentions = [
            {"id": self.accounts[m.group(1)]["id"], "username": m.group(1),
             "acct": m.group(1), "url": self.accounts[m.group(1)]["url"]}
            for m in _MENTION.finditer(text)
            if m.group(1) in self.accounts and m.group(2) in (None, self.domain)
        ]  # fmt: skip
        status: dict[str, Any] = {
            "id": sid,
            "uri": f"https://{self.domain}/users/{username}/statuses/{sid}",
            "url": f"https://{self.domain}/@{username}/{sid}",
            "created_at": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "account": dict(account),
            "content": _html(text, self.domain),
            "visibility": visibility,
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": [],
            "mentions": mentions,
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": 0,
            "in_reply_to_id": in_reply_to_id,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "reblog": None,
            "language": "en",
            "edited_at": None,
            "card": None,
            "poll": None,
            **extra,
        }
        if parent is not None:
            parent["replies_count"] += 1
        self.statuses.append(status)
        return status


def _length(text: str) -> int:
    """Mastodon's count: each link 23 characters, a remote mention its user part;
    characters are code points here, except that an emoji's modifiers and
    joiners do not count (close enough to grapheme clusters for tests)."""
    counted = _URL.sub("x" * 23, text)
    counted = _MENTION.sub(lambda m: "@" + m.group(1), counted)
    return sum(
        1 for ch in counted if ch not in "\u200d\ufe0f" and not "\U0001f3fb" <= ch <= "\U0001f3ff"
    )


def _html(text: str, domain: str) -> str:
    """Plain text as Mastodon renders it: escaped, mentions and links as anchors."""
    escaped = html.escape(text)
    escaped = _URL.sub(
        lambda m: f'<a href="{m.group()}" rel="nofollow noopener">{m.group()}</a>', escaped
    )
    escaped = _MENTION.sub(
        lambda m: (
            f'<span class="h-card"><a href="https://{m.group(2) or domain}/@{m.group(1)}" '
            f'class="u-url mention">@<span>{m.group(1)}</span></a></span>'
        ),
        escaped,
    )
    return "<p>" + escaped.replace("\n", "<br>") + "</p>"
