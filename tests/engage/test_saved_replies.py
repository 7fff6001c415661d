"""Saved replies: who writes them, who sees them, and how they fill in."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from hubbub.actions.saved_replies import (
    DuplicateSavedReply,
    create_saved_reply,
    delete_saved_reply,
    update_saved_reply,
)
from hubbub.config import Settings
from hubbub.engage.saved import SavedReplyNotFound, list_saved_replies, preview
from hubbub.engage.templates import TemplateError
from hubbub.people.principal import PermissionDenied
from hubbub.store.tables import audit_log
from interfaces.seed import team_id
from servers.mastodon import MastodonServer

from .conftest import MASTODON_TOKEN
from .flow import (
    COMPLAINT,
    ingest_status,
    mastodon_source,
    person,
    setup_workspace,
)


def test_managers_write_agents_read_their_teams_and_shared(engine: Engine) -> None:
    setup_workspace(engine)
    cs, sales = team_id(engine, "customer-service"), team_id(engine, "sales")
    maria = person(engine, "maria@example.com", "Maria", role="manager")
    ana = person(engine)  # agent in customer service
    shared = create_saved_reply(engine, maria, name="Thanks", body="Thanks {{author.name}}!")
    mine = create_saved_reply(engine, maria, name="Refund", body="Refund on its way", team_id=cs)
    create_saved_reply(engine, maria, name="Pricing", body="See our pricing page", team_id=sales)

    with engine.connect() as conn:
        seen = [s["id"] for s in list_saved_replies(conn, ana)]
        for_sales = [s["name"] for s in list_saved_replies(conn, ana, team_id=sales)]
    assert seen == [shared, mine]
    assert for_sales == ["Thanks", "Refund", "Pricing"]  # answering a sales conversation

    with pytest.raises(PermissionDenied):
        create_saved_reply(engine, ana, name="Mine", body="x")
    with pytest.raises(TemplateError, match=r"unknown variable \{\{customer\}\}"):
        create_saved_reply(engine, maria, name="Bad", body="Hi {{customer}}")
    with pytest.raises(DuplicateSavedReply):
        create_saved_reply(engine, maria, name="Thanks", body="again")  # shared: team NULL
    create_saved_reply(engine, maria, name="Thanks", body="Sales' own thanks", team_id=sales)

    update_saved_reply(engine, maria, mine, body="Refund sent, {{author.handle}}", team_id=None)
    with pytest.raises(DuplicateSavedReply):
        update_saved_reply(engine, maria, mine, name="Thanks")
    delete_saved_reply(engine, maria, shared)
    with pytest.raises(SavedReplyNotFound):
        delete_saved_reply(engine, maria, shared)
    with engine.connect() as conn:
        logged = conn.execute(
            select(audit_log.c.action, audit_log.c.before, audit_log.c.after)
            .where(audit_log.c.object_type == "saved_reply", audit_log.c.object_id == str(mine))
            .order_by(audit_log.c.id)
        ).all()
    assert [r.action for r in logged] == ["saved_reply.create", "saved_reply.update"]
    assert logged[1].before["team_id"] == cs and logged[1].after["team_id"] is None


def test_preview_fills_in_the_conversation(
    engine: Engine, settings: Settings, mastodon: MastodonServer
) -> None:
    setup_workspace(engine)
    source_id = mastodon_source(engine, settings, mastodon, MASTODON_TOKEN)
    mastodon.add_account("alice", "Alice {{agent.name}}")  # a stranger's name is data
    _, cid = ingest_status(engine, settings, mastodon, source_id, "alice", COMPLAINT)
    maria = person(engine, "maria@example.com", "Maria Garcia", role="manager")
    ben = person(engine, "ben@example.com", "Ben Okafor", teams_=("sales",))
    saved = create_saved_reply(
        engine, maria,
        name="Sorry", team_id=team_id(engine, "customer-service"),
        body="Hi {{author.name}} ({{author.handle}}), {{agent.first_name}} from "
        "{{team.name}} here. Case {{conversation.id}}.",
    )  # fmt: skip
    with engine.connect() as conn:
        text = preview(conn, maria, cid, saved)
        # the conversation is customer service's: Ben (sales) may use its replies there
        assert preview(conn, ben, cid, saved).startswith("Hi Alice {{agent.name}}")
    assert text == (
        f"Hi Alice {{{{agent.name}}}} (@alice), Maria from Customer service here. Case {cid}."
    )
    other = create_saved_reply(engine, maria, name="Sales only", body="x",
                               team_id=team_id(engine, "sales"))  # fmt: skip
    ana = person(engine)
    with engine.connect() as conn, pytest.raises(SavedReplyNotFound):
        preview(conn, ana, cid, other)
