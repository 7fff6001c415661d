"""Contact notes from the web UI: the form in a conversation's contact panel
posts here, and the browser goes back to the conversation it came from."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hubbub.actions.contacts import ContactNotFound, set_notes
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import safe_next, web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.people.principal import Principal

router = APIRouter()

# only a bare conversation page gets the "saved" notice appended
_CONVERSATION_PAGE = re.compile(r"/conversations/\d+")


def back_to(next_value: object) -> str:
    """Where to go after saving: ``next`` if it is a path on this site, else the inbox."""
    if not isinstance(next_value, str) or not next_value:
        return "/inbox"
    target = safe_next(next_value)
    if _CONVERSATION_PAGE.fullmatch(target):
        return f"{target}?done=contact"
    return target


@router.post("/contacts/{contact_id}/notes", dependencies=[Depends(csrf.verify)])
async def save_contact_notes(
    request: Request,
    contact_id: int,
    actor: Principal = web_requires("contact.manage"),
) -> Response:
    form = await request.form()
    notes = form.get("notes")
    try:
        set_notes(
            request.app.state.engine, actor, contact_id, notes if isinstance(notes, str) else ""
        )
    except ContactNotFound:
        return page(
            request, "error.html", {"status": 404, "message": f"No contact {contact_id}."}, 404
        )
    except ValueError as exc:  # too long: say so instead of losing it silently
        return page(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    return redirect(back_to(form.get("next")))
