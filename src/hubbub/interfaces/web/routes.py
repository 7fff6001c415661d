"""All web UI routes.

Every view declares who may see it: ``web_requires("<permission>")`` (or
``Depends(web_principal)``) from hubbub.interfaces.web.auth, and every POST
also ``Depends(csrf.verify)``; tests/people check both for every route here.
Public without a session: /login, /logout, /invite/{token} (views_auth), and
outside this router /healthz, /static and /hooks/*.

To add a page module, append it to MODULES."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from hubbub.interfaces.web import (
    views_auth,
    views_contacts,
    views_conversation,
    views_dashboard,
    views_inbox,
    views_notifications,
    views_people,
    views_post,
    views_queries,
    views_replies,
    views_rules,
    views_sla,
    views_sources,
    views_stream,
    views_topics,
    views_workers,
)

MODULES: tuple[ModuleType, ...] = (
    views_auth,
    views_inbox,
    views_conversation,
    views_contacts,
    views_replies,
    views_stream,
    views_queries,
    views_sources,
    views_dashboard,
    views_topics,
    views_rules,
    views_sla,
    views_notifications,
    views_workers,
    views_post,
    views_people,
)

# paths that work without a session (tests/people/test_web_auth.py checks the rest redirect)
PUBLIC_PATHS = frozenset({"/login", "/logout", "/invite/{token}"})

# LoginRequired becomes the redirect to /login through the app's exception
# handler (interfaces/app.py)
router = APIRouter(include_in_schema=False)
for module in MODULES:
    router.include_router(module.router)
