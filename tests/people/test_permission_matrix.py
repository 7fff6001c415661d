"""Every permission of hubbub.people.permissions.MATRIX × every role, each
through one real API request and one real web request.

Allowed roles must not get 401/403 (nor, on the web, the login page); the
others get 403 (API JSON) or the 403 page (web). Requests that change things
mostly aim at objects that do not exist (id 999999), so an allowed role gets
404 after the permission check and nothing changes between roles.

Adding a route for a permission: fill its row's ``api``/``web`` probe (more
routes of the same permission go in ``more_api``/``more_web``). A row whose
route is not known yet names it in ``pending`` and is skipped; a probe whose
route the app does not have fails, naming the route (a renamed route must not
quietly drop out of the matrix)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match, Mount

from hubbub.people.permissions import MATRIX, ROLES

from .helpers import csrf_of

Ids = dict[str, int]
MISSING = 999999


@dataclass(frozen=True)
class Probe:
    method: str
    path: str | Callable[[Ids], str]
    # the JSON body (API) or form fields (web), from the role making the request
    body: Callable[[str], dict[str, Any]] | None = None

    def url(self, ids: Ids) -> str:
        return self.path(ids) if callable(self.path) else self.path


@dataclass(frozen=True)
class Row:
    api: Probe | None = None
    web: Probe | None = None
    pending: dict[str, str] = field(default_factory=dict)  # "api"/"web" -> the missing route
    # further routes guarded by the same permission, checked the same way
    more_api: tuple[Probe, ...] = ()
    more_web: tuple[Probe, ...] = ()

    def probes(self, side: str) -> list[Probe]:
        first: Probe | None = getattr(self, side)
        more: tuple[Probe, ...] = getattr(self, f"more_{side}")
        return ([first] if first is not None else []) + list(more)


def _conversation(ids: Ids) -> str:
    return f"/api/v1/conversations/{MISSING}"


ROWS: dict[str, Row] = {
    "post.view": Row(api=Probe("GET", "/api/v1/posts"), web=Probe("GET", "/")),
    "post.correct": Row(
        api=Probe("PUT", f"/api/v1/posts/{MISSING}/intents", lambda r: {"labels": ["complaint"]}),
        web=Probe("POST", f"/posts/{MISSING}/intents", lambda r: {"intent": "complaint"}),
    ),
    "query.view": Row(
        api=Probe("GET", "/api/v1/queries"), web=Probe("GET", lambda ids: f"/queries/{ids['acme']}")
    ),
    "query.manage": Row(
        api=Probe("POST", "/api/v1/queries", lambda r: {"name": f"by {r}", "query": "anvil"}),
        web=Probe("POST", f"/queries/{MISSING}/delete"),
    ),
    "source.view": Row(api=Probe("GET", "/api/v1/sources"), web=Probe("GET", "/sources")),
    "source.manage": Row(
        api=Probe("DELETE", f"/api/v1/sources/{MISSING}"),
        web=Probe("POST", f"/sources/{MISSING}/remove"),
    ),
    "analytics.view": Row(
        api=Probe("GET", "/api/v1/stats/volume"),
        web=Probe("GET", "/dashboard"),
        more_api=(Probe("GET", "/api/v1/topics"), Probe("GET", "/api/v1/reports/sla")),
        more_web=(Probe("GET", "/topics"),),
    ),
    "conversation.view": Row(
        api=Probe("GET", "/api/v1/conversations"),
        web=Probe("GET", "/inbox"),
        more_api=(
            Probe("GET", _conversation),
            Probe("GET", f"/api/v1/contacts/{MISSING}"),
            Probe("GET", lambda ids: f"/api/v1/teams/{ids['team.customer-service']}/sla"),
        ),
        more_web=(
            Probe("GET", f"/conversations/{MISSING}"),
            Probe("GET", "/service-levels"),
        ),
    ),
    "conversation.reply": Row(
        api=Probe(
            "POST",
            f"/api/v1/conversations/{MISSING}/replies",
            lambda r: {"body": "Thanks!", "idempotency_key": f"matrix-{r}"},
        ),
        web=Probe(
            "POST",
            f"/conversations/{MISSING}/reply",
            lambda r: {"body": "Thanks!", "idempotency_key": f"matrix-{r}"},
        ),
        more_api=(
            Probe(
                "POST",
                f"/api/v1/conversations/{MISSING}/handled-elsewhere",
                lambda r: {"url": "https://example.com/answered"},
            ),
        ),
        more_web=(
            Probe(
                "POST",
                f"/conversations/{MISSING}/handled-elsewhere",
                lambda r: {"url": "https://example.com/answered"},
            ),
        ),
    ),
    "conversation.note": Row(
        api=Probe("POST", f"/api/v1/conversations/{MISSING}/notes", lambda r: {"body": "a note"}),
        web=Probe("POST", f"/conversations/{MISSING}/notes", lambda r: {"body": "a note"}),
    ),
    "conversation.update": Row(
        api=Probe("PATCH", _conversation, lambda r: {"priority": "high"}),
        web=Probe("POST", f"/conversations/{MISSING}/status", lambda r: {"status": "pending"}),
    ),
    "conversation.assign": Row(
        api=Probe("PATCH", _conversation, lambda r: {"assignee_id": None}),
        web=Probe("POST", f"/conversations/{MISSING}/assign", lambda r: {"assignee_id": ""}),
    ),
    "conversation.bulk": Row(
        api=Probe(
            "POST", "/api/v1/conversations/bulk", lambda r: {"ids": [MISSING], "priority": "low"}
        ),
        web=Probe("POST", "/inbox/bulk", lambda r: {"id": str(MISSING), "priority": "low"}),
    ),
    "contact.manage": Row(
        api=Probe("PUT", f"/api/v1/contacts/{MISSING}/notes", lambda r: {"notes": f"by {r}"}),
        web=Probe(
            "POST",
            f"/contacts/{MISSING}/notes",
            lambda r: {"notes": f"by {r}", "next": f"/conversations/{MISSING}"},
        ),
    ),
    "saved_reply.view": Row(
        api=Probe("GET", "/api/v1/saved-replies"), web=Probe("GET", "/saved-replies")
    ),
    "saved_reply.manage": Row(
        api=Probe("DELETE", f"/api/v1/saved-replies/{MISSING}"),
        web=Probe("POST", f"/saved-replies/{MISSING}/delete"),
    ),
    "rule.view": Row(api=Probe("GET", "/api/v1/rules"), web=Probe("GET", "/rules")),
    "rule.manage": Row(
        api=Probe("DELETE", f"/api/v1/rules/{MISSING}"),
        web=Probe("POST", f"/rules/{MISSING}/delete"),
        more_web=(Probe("GET", f"/rules/{MISSING}"),),  # the edit form
    ),
    "team.manage": Row(
        api=Probe("POST", "/api/v1/teams", lambda r: {"slug": f"team-{r}", "name": f"Team {r}"}),
        web=Probe("POST", "/people/teams", lambda r: {"slug": f"web-{r}", "name": f"Web {r}"}),
        more_api=(Probe("PUT", f"/api/v1/teams/{MISSING}/sla", lambda r: {"policies": []}),),
        more_web=(Probe("POST", f"/teams/{MISSING}/service-levels/targets"),),
    ),
    "notification.view": Row(
        api=Probe("GET", "/api/v1/notifications"), web=Probe("GET", "/notifications")
    ),
    "user.view": Row(api=Probe("GET", "/api/v1/users"), web=Probe("GET", "/people")),
    "user.manage": Row(
        api=Probe(
            "POST",
            "/api/v1/invitations",
            lambda r: {"email": f"api-{r}@example.com", "role": "viewer"},
        ),
        web=Probe(
            "POST", "/people/invite", lambda r: {"email": f"web-{r}@example.com", "role": "viewer"}
        ),
    ),
    "audit.view": Row(api=Probe("GET", "/api/v1/audit"), web=Probe("GET", "/audit")),
    "token.own": Row(api=Probe("GET", "/api/v1/tokens"), web=Probe("GET", "/people/tokens")),
    "cluster.view": Row(api=Probe("GET", "/api/v1/cluster"), web=Probe("GET", "/workers")),
    "dlq.manage": Row(
        # without NATS the allowed roles get 503 ("no cluster"), after the permission check
        api=Probe("POST", "/api/v1/dlq/1/replay"),
        web=Probe("POST", "/workers/dlq/1/replay"),
    ),
}


def test_every_permission_has_a_row() -> None:
    assert set(ROWS) == set(MATRIX), (
        f"missing rows: {sorted(set(MATRIX) - set(ROWS))}; "
        f"stale rows: {sorted(set(ROWS) - set(MATRIX))}"
    )
    for permission, row in ROWS.items():
        for side in ("api", "web"):
            assert getattr(row, side) is not None or side in row.pending, (permission, side)


def _routed(routes: list[BaseRoute], scope: dict[str, Any]) -> bool:
    """Whether a route of the app takes this method and path (into mounts)."""
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            inner = getattr(route.app, "routes", None) if isinstance(route, Mount) else None
            return True if inner is None else _routed(inner, {**scope, **child})
    return False


def _assert_routed(client: TestClient, probe: Probe, url: str) -> None:
    scope: dict[str, Any] = {"type": "http", "method": probe.method, "path": url}
    scope |= {"root_path": "", "query_string": b"", "headers": []}
    routed = _routed(client.app.routes, scope)  # type: ignore[attr-defined]
    assert routed, f"the app has no route {probe.method} {url}: fix the probe"


def _send(client: TestClient, probe: Probe, ids: Ids, role: str, csrf: str | None) -> Any:
    body = probe.body(role) if probe.body else None
    if csrf is None:  # the API
        return client.request(probe.method, probe.url(ids), json=body)
    return client.request(
        probe.method,
        probe.url(ids),
        data={**(body or {}), "csrf_token": csrf} if probe.method == "POST" else None,
        follow_redirects=False,
    )


@pytest.mark.parametrize("permission", sorted(MATRIX))
def test_api(permission: str, api_as: Callable[..., TestClient], seeded: Ids) -> None:
    row = ROWS[permission]
    if row.api is None:
        pytest.skip(f"no API route yet: {row.pending['api']}")
    allowed_roles = MATRIX[permission][1]
    wrong: list[str] = []
    clients = {role: api_as(role) for role in ROLES}
    for probe in row.probes("api"):
        url = probe.url(seeded)
        _assert_routed(clients["admin"], probe, url)
        for role in ROLES:
            response = _send(clients[role], probe, seeded, role, None)
            if role in allowed_roles:
                if response.status_code in (401, 403):
                    wrong.append(
                        f"{probe.method} {url} {role}: {response.status_code} {response.text[:200]}"
                    )
            elif response.status_code != 403:
                wrong.append(
                    f"{probe.method} {url} {role} should get 403, got {response.status_code}"
                )
    assert not wrong, f"{permission}: {wrong}"


@pytest.mark.parametrize("permission", sorted(MATRIX))
def test_web(permission: str, login_as: Callable[[str], TestClient], seeded: Ids) -> None:
    row = ROWS[permission]
    if row.web is None:
        pytest.skip(f"no web page yet: {row.pending['web']}")
    allowed_roles = MATRIX[permission][1]
    wrong: list[str] = []
    clients = {role: login_as(role) for role in ROLES}
    # a page every role may open
    tokens = {role: csrf_of(client, "/people/tokens") for role, client in clients.items()}
    for probe in row.probes("web"):
        url = probe.url(seeded)
        _assert_routed(clients["admin"], probe, url)
        for role in ROLES:
            response = _send(clients[role], probe, seeded, role, tokens[role])
            denied = response.status_code == 403 and "does not allow" in response.text
            signed_out = response.status_code == 303 and "/login" in response.headers["location"]
            said = f"{probe.method} {url} {role}: {response.status_code}"
            if role in allowed_roles:
                if denied or signed_out or response.status_code == 403:
                    wrong.append(f"{said} {response.text[:300]}")
            elif not denied:
                wrong.append(f"{said}, should be the 403 page")
            else:
                assert "<h1>Forbidden</h1>" in response.text
    assert not wrong, f"{permission}: {wrong}"
