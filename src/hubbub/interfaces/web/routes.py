"""All web UI routes."""

from __future__ import annotations

from fastapi import APIRouter

from hubbub.interfaces.web import (
    views_dashboard,
    views_post,
    views_queries,
    views_sources,
    views_stream,
    views_workers,
)

router = APIRouter(include_in_schema=False)
for module in (
    views_stream,
    views_queries,
    views_sources,
    views_dashboard,
    views_workers,
    views_post,
):
    router.include_router(module.router)
