"""The API application, mounted by hubbub.interfaces.app at /api/v1."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from hubbub.interfaces.api.deps import require_token
from hubbub.interfaces.api.routes import (
    contacts,
    conversations,
    dlq,
    notifications,
    people,
    posts,
    queries,
    replies,
    rules,
    sla,
    sources,
    stats,
    status,
    topics,
)


def create_api() -> FastAPI:
    """Routes only; the parent app shares its engine, settings and token via state."""
    api = FastAPI(
        title="Hubbub API",
        version="1",
        description="Posts, listening queries, sources and statistics of a Hubbub workspace. "
        "Every endpoint needs `Authorization: Bearer <token>`: the workspace token "
        "(HOME/api_token) or a personal `hbt_` token with scopes (docs/people.md).",
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; /api/docs is local
        redoc_url=None,
        dependencies=[Depends(require_token)],
    )
    for module in (
        posts,
        queries,
        sources,
        stats,
        status,
        dlq,
        people,
        conversations,
        contacts,
        replies,
        rules,
        sla,
        notifications,
        topics,
    ):
        api.include_router(module.router)
    return api
