"""A Bluesky PDS on 127.0.0.1 for tests: the XRPC calls Hubbub posts with.

* ``com.atproto.server.createSession`` (identifier: handle or DID, and an app
  password) answers ``accessJwt``, ``refreshJwt``, ``did``, ``handle``.
* ``com.atproto.repo.createRecord`` checks the session (an expired one is
  ``400 ExpiredToken`` as the real PDS answers), that ``repo`` is the session's
  own DID, and the post record: ``$type``, ``createdAt``, text of at most 300
  graphemes, reply strong refs with uri and cid. Answers ``{uri, cid}``.
* ``app.bsky.feed.getPosts?uris=...``: post views of the posts it knows.

``fail_next(status, error, message)`` scripts the next createRecord to fail.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from servers.jsonhttp import Answer, JsonServer, Request

POST = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


@dataclass
class Account:
    did: str
    handle: str
    app_password: str


class BlueskyPds(JsonServer):
    def __init__(self) -> None:
        super().__init__()
        self.accounts: list[Account] = []
        self.sessions: dict[str, Account] = {}  # accessJwt -> account
        self.records: dict[str, dict[str, Any]] = {}  # uri -> {cid, record, author}
        self._failures: list[Answer] = []
        self._clock = int(datetime.now(UTC).timestamp() * 1_000_000)

    # -- test set-up ----------------------------------------------------------

    def add_account(self, handle: str, app_password: str) -> Account:
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        account = Account(did, handle, app_password)
        with self.lock:
            self.accounts.append(account)
        return account

    def add_post(
        self, did: str, rkey: str, text: str, *, reply: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """A post someone else made (for getPosts); returns its strong ref."""
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _now()}
        if reply:
            record["reply"] = reply
        uri = f"at://{did}/{POST}/{rkey}"
        cid = _cid(uri + text)
        with self.lock:
            self.records[uri] = {"cid": cid, "record": record, "did": did}
        return {"uri": uri, "cid": cid}

    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()

    def fail_next(self, status: int, error: str, message: str) -> None:
        with self.lock:
            self._failures.append((status, {"error": error, "message": message}))

    def created(self) -> list[Request]:
        """The createRecord calls that made a post. A refused one (a stale
        session, say: the client's session cache is keyed by PDS URL, and a
        later test's PDS can get an earlier one's port) posted nothing."""
        calls = self.requests_to("POST", "/xrpc/com.atproto.repo.createRecord")
        return [call for call in calls if call.status == 200]

    # -- XRPC -----------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        method = request.path.removeprefix("/xrpc/")
        if request.method == "POST" and method == "com.atproto.server.createSession":
            return self._create_session(request)
        if request.method == "POST" and method == "com.atproto.repo.createRecord":
            return self._create_record(request)
        if request.method == "GET" and method == "app.bsky.feed.getPosts":
            return self._get_posts(request)
        return 501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}

    def _create_session(self, request: Request) -> Answer:
        body = request.json() or {}
        who, password = body.get("identifier"), body.get("password")
        for account in self.accounts:
            if who in (account.handle, account.did) and password == account.app_password:
                access = secrets.token_urlsafe(24)
                self.sessions[access] = account
                return 200, {
                    "accessJwt": access,
                    "refreshJwt": secrets.token_urlsafe(24),
                    "handle": account.handle,
                    "did": account.did,
                    "active": True,
                }
        return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}

    def _session(self, request: Request) -> Account | Answer:
        token = request.bearer()
        if not token:
            return 401, {"error": "AuthenticationRequired", "message": "Authentication Required"}
        account = self.sessions.get(token)
        if account is None:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}
        return account

    def _create_record(self, request: Request) -> Answer:
        account = self._session(request)
        if not isinstance(account, Account):
            return account
        if self._failures:
            return self._failures.pop(0)
        body = request.json() or {}
        if body.get("repo") not in (account.did, account.handle):
            return 403, {"error": "InvalidRequest", "message": "Can not write to another repo"}
        record = body.get("record")
        problem = _invalid_post(body.get("collection"), record)
        if problem or not isinstance(record, dict):
            return 400, {"error": "InvalidRequest", "message": problem}
        self._clock += 1
        uri = f"at://{account.did}/{POST}/{_tid(self._clock)}"
        cid = _cid(uri + record["text"])
        self.records[uri] = {"cid": cid, "record": record, "did": account.did}
        return 200, {
            "uri": uri,
            "cid": cid,
            "commit": {"cid": _cid(uri + "commit"), "rev": _tid(self._clock)},
            "validationStatus": "valid",
        }

    def _get_posts(self, request: Request) -> Answer:
        account = self._session(request)
        if not isinstance(account, Account):
            return account
        views = []
        for uri in request.query.get("uris", []):
            held = self.records.get(uri)
            if held is not None:
                views.append(
                    {
                        "uri": uri,
                        "cid": held["cid"],
                        "author": {"did": held["did"], "handle": held["did"]},
                        "record": held["record"],
                        "indexedAt": _now(),
                    }
                )
        return 200, {"posts": views}


def _invalid_post(collection: Any, record: Any) -> str | None:
    if collection != POST:
        return f"this PDS only takes {POST} records"
    if not isinstance(record, dict) or record.get("$type") != POST:
        return "Invalid app.bsky.feed.post record: Record/$type must be app.bsky.feed.post"
    text = record.get("text")
    if not isinstance(text, str):
        return 'Invalid app.bsky.feed.post record: Record must have the property "text"'
    if not isinstance(record.get("createdAt"), str):
        return 'Invalid app.bsky.feed.post record: Record must have the property "createdAt"'
    if _graphemes(text) > 300:
        return (
            "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
        )
    reply = record.get("reply")
    if reply is not None:
        for part in ("root", "parent"):
            ref = reply.get(part) if isinstance(reply, dict) else None
            if not isinstance(ref, dict) or not ref.get("uri") or not ref.get("cid"):
                return f"Invalid app.bsky.feed.post record: Record/reply/{part} must be a strongRef"
    return None


def _graphemes(text: str) -> int:
    # combining marks, joiners and variation selectors join the character before
    return sum(
        1
        for ch in text
        if not unicodedata.combining(ch)
        and ch not in "\u200d\ufe0f"
        and not "\U0001f3fb" <= ch <= "\U0001f3ff"
    )


def _tid(micros: int) -> str:
    n = (micros << 10) | 7
    out = ""
    for _ in range(13):
        out = _B32[n & 31] + out
        n >>= 5
    return out


def _cid(seed: str) -> str:
    return "bafyrei" + hashlib.sha256(seed.encode()).hexdigest()[:52]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
