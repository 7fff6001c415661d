"""All web UI routes."""

from __future__ import annotations

from fastapi import APIRouter

from hubbub.interfaces.web import views_dashboard, views_queries, views_sources, views_stream

router = APIRouter(include_in_schema=False)
for module in (views_stream, views_queries, views_sources, views_dashboard):
    router.include_router(module.router)
