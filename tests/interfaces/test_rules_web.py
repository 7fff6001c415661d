"""The routing-rules pages: the ordered list and its buttons, the editor's
form fields, JSON mode, the dry run before saving, errors, CSRF, roles and
escaping."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.routing import ensure_default_routing
from hubbub.inbox.routing import load_rules
from hubbub.inbox.routing.defaults import DEFAULT_RULES
from hubbub.store.tables import routing_rules

from .seed import XSS_AUTHOR


@pytest.fixture
def web(app_client: TestClient, engine: Engine) -> TestClient:
    ensure_default_routing(engine)
    return app_client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def order(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r.name for r in load_rules(conn)]


def stored(engine: Engine, name: str) -> dict[str, object]:
    with engine.connect() as conn:
        row = conn.execute(select(routing_rules).where(routing_rules.c.name == name)).one()
    return dict(row._mapping)


def test_list_in_order_with_buttons_that_work(web: TestClient, engine: Engine) -> None:
    html = web.get("/rules").text
    names = [r["name"] for r in DEFAULT_RULES]
    positions = [html.index(n.replace("&", "&amp;")) for n in names]
    assert positions == sorted(positions)
    assert "author has ≥ 10,000 followers" in html and "New rule" in html
    token = csrf(html)
    with engine.connect() as conn:
        rules = load_rules(conn)
    second = rules[1]
    moved = web.post(f"/rules/{second.id}/move", data={"csrf_token": token, "direction": "up"})
    assert moved.status_code == 200 and "Order changed." in moved.text
    assert order(engine)[:2] == [names[1], names[0]]
    web.post(f"/rules/{second.id}/move", data={"csrf_token": token, "direction": "down"})
    assert order(engine) == names
    web.post(f"/rules/{second.id}/enabled", data={"csrf_token": token, "enabled": "0"})
    assert stored(engine, second.name)["enabled"] is False
    assert "state-disabled" in web.get("/rules").text
    web.post(f"/rules/{second.id}/delete", data={"csrf_token": token})
    assert second.name not in order(engine)
    restored = web.post("/rules/defaults", data={"csrf_token": token})
    assert "Default rules restored." in restored.text and order(engine)[-1] == second.name
    # no token, or someone else's: refused, nothing changes
    assert web.post(f"/rules/{second.id}/delete", data={}).status_code == 403
    assert second.name in order(engine)


def test_editing_a_default_rule_uses_the_form_with_its_keyword_fallback(
    web: TestClient, engine: Engine
) -> None:
    with engine.connect() as conn:
        sales = next(r for r in load_rules(conn) if r.name.startswith("Purchase"))
    html = web.get(f"/rules/{sales.id}").text
    assert 'name="spec_json"' not in html  # the form holds it
    assert re.search(
        r'id="r-i-purchase_intent" name="intents" value="purchase_intent" checked', html
    )
    assert re.search(r'id="r-kwf" name="keywords_fallback" checked', html)
    assert re.search(r'<option value="any" selected>any of the conditions', html)
    assert re.search(r'<option value="sales" selected>Sales</option>', html)
    assert "how much" in html and "Reads as:" in html


def form(token: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {"csrf_token": token, "mode": "form", "match": "all", "enabled": "on"}
    return base | fields


def test_create_with_the_form_after_testing_it(web: TestClient, engine: Engine) -> None:
    token = csrf(web.get("/rules/new").text)
    fields = form(
        token,
        name="Angry refunds",
        match="all",
        sentiments=["negative"],
        keywords="refund\nmoney back",
        keywords_match="any",
        team="customer-service",
        person="least_loaded",
        priority="high",
        tags="refund, angry",
    )
    tested = web.post("/rules", data=fields | {"action": "test"})
    assert tested.status_code == 200
    # one seeded post is negative and asks for a refund; nothing is saved yet
    assert "This rule would have fired on 1 of the last 7 days" in tested.text
    assert "Customer service" in tested.text and "Acme support is terrible" in tested.text
    assert "Angry refunds" not in order(engine)
    saved = web.post("/rules", data=fields | {"action": "save"})
    assert saved.status_code == 200 and "Rule created." in saved.text
    row = stored(engine, "Angry refunds")
    assert row["conditions"] == {
        "all": [
            {"type": "sentiment", "labels": ["negative"]},
            {"type": "keywords", "words": ["refund", "money back"], "match": "any"},
        ]
    }
    assert row["actions"] == [
        {"type": "assign_team", "team": "customer-service"},
        {"type": "assign_person", "strategy": "least_loaded"},
        {"type": "set_priority", "priority": "high"},
        {"type": "add_tags", "tags": ["refund", "angry"]},
    ]
    assert row["position"] == len(DEFAULT_RULES) + 1
    # edit it again: the form shows what was saved
    edit = web.get(f"/rules/{row['id']}").text
    assert 'value="least_loaded" selected' in edit and "money back" in edit


def test_errors_are_shown_and_nothing_is_saved(web: TestClient, engine: Engine) -> None:
    token = csrf(web.get("/rules/new").text)
    bad_time = web.post("/rules", data=form(token, name="Nights", time_start="25:00",
                                             time_end="06:00", team="pr", action="save"))  # fmt: skip
    assert bad_time.status_code == 400
    assert "conditions.all[0].start: &#39;25:00&#39; is not a time HH:MM" in bad_time.text
    not_number = web.post("/rules", data=form(token, name="Big", min_followers="lots", team="pr",
                                               action="save"))  # fmt: skip
    assert (
        not_number.status_code == 400
        and "Minimum followers: &#39;lots&#39; is not a whole number" in not_number.text
    )
    no_action = web.post("/rules", data=form(token, name="Nothing", action="save"))
    assert (
        no_action.status_code == 400 and "actions: a list of at least one action" in no_action.text
    )
    duplicate = web.post(
        "/rules", data=form(token, name=DEFAULT_RULES[0]["name"], team="pr", action="save")
    )
    assert duplicate.status_code == 400 and "already exists" in duplicate.text
    assert len(order(engine)) == len(DEFAULT_RULES)


def test_json_mode_for_rules_the_form_cannot_hold(web: TestClient, engine: Engine) -> None:
    token = csrf(web.get("/rules/new").text)
    switched = web.post("/rules", data=form(token, name="Nested", platforms="mastodon", team="pr",
                                            action="json"))  # fmt: skip
    assert 'name="spec_json"' in switched.text and "&#34;platforms&#34;" in switched.text
    spec = ('{"name": "Not Mastodon at night", "conditions": {"all": [{"not": {"type": "platform", '
            '"platforms": ["mastodon"]}}, {"type": "time_of_day", "start": "22:00", "end": "06:00"}]},'
            ' "actions": [{"type": "assign_team", "team": "pr"}]}')  # fmt: skip
    tested = web.post(
        "/rules", data={"csrf_token": token, "mode": "json", "spec_json": spec, "action": "test"}
    )
    assert tested.status_code == 200
    assert "Reads as:" in tested.text and "not (on mastodon)" in tested.text
    back = web.post(
        "/rules", data={"csrf_token": token, "mode": "json", "spec_json": spec, "action": "form"}
    )
    assert back.status_code == 400 and "the form cannot show it" in back.text
    broken = web.post(
        "/rules", data={"csrf_token": token, "mode": "json", "spec_json": "{", "action": "save"}
    )
    assert broken.status_code == 400 and "JSON: Expecting property name" in broken.text
    saved = web.post(
        "/rules", data={"csrf_token": token, "mode": "json", "spec_json": spec, "action": "save"}
    )
    assert "Rule created." in saved.text
    row = stored(engine, "Not Mastodon at night")
    assert 'name="spec_json"' in web.get(f"/rules/{row['id']}").text  # opens in JSON mode


def test_roles_and_escaping(
    web: TestClient, engine: Engine, login_as: Callable[[str], TestClient], anonymous: TestClient
) -> None:
    token = csrf(web.get("/rules/new").text)
    hostile = XSS_AUTHOR + "<script>alert(9)</script>"
    saved = web.post(
        "/rules", data=form(token, name=hostile, keywords=hostile, team="pr", action="save")
    )
    assert saved.status_code == 200
    page = web.get("/rules").text
    assert "<script>alert(9)" not in page and "&lt;script&gt;alert(9)" in page
    assert "<img src=x" not in page
    viewer = login_as("viewer")
    seen = viewer.get("/rules")
    assert seen.status_code == 200 and "New rule" not in seen.text and "/move" not in seen.text
    assert viewer.get("/rules/new").status_code == 403
    agent = login_as("agent")
    agent_token = csrf(agent.get("/rules").text)
    rule_id = stored(engine, hostile)["id"]
    assert (
        agent.post(f"/rules/{rule_id}/delete", data={"csrf_token": agent_token}).status_code == 403
    )
    assert (
        agent.post("/rules", data=form(agent_token, name="x", team="pr", action="save")).status_code
        == 403
    )
    assert login_as("manager").get(f"/rules/{rule_id}").status_code == 200
    redirected = anonymous.get("/rules", follow_redirects=False)
    assert redirected.status_code == 303 and redirected.headers["location"].startswith("/login")
