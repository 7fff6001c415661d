"""A contact's notes (what colleagues should know about this author)."""

from __future__ import annotations

from sqlalchemy import Engine

from hubbub.actions import audit
from hubbub.inbox.contacts import set_contact_notes
from hubbub.people.principal import Principal

MAX_NOTES_CHARS = 10_000


class ContactNotFound(LookupError):
    pass


def set_notes(engine: Engine, actor: Principal, contact_id: int, notes: str) -> None:
    actor.require("contact.manage")
    text = notes.strip()
    if len(text) > MAX_NOTES_CHARS:
        raise ValueError(f"contact notes are at most {MAX_NOTES_CHARS:,} characters")
    with engine.begin() as conn:
        before = set_contact_notes(conn, contact_id, text)
        if before is None:
            raise ContactNotFound(f"no contact {contact_id}")
        audit.record(
            conn,
            actor,
            "contact.notes",
            "contact",
            contact_id,
            before={"notes": before["notes"]},
            after={"notes": text},
        )
