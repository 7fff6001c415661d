"""The ASGI application: web UI at /, REST API at /api/v1, one engine for both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hubbub.analytics.counts import totals
from hubbub.config import Settings
from hubbub.interfaces.api import create_api
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import LoginRequired, login_redirect
from hubbub.interfaces.web.render import page
from hubbub.interfaces.web.routes import router as web_router
from hubbub.sources.webhook.routes import router as webhook_router
from hubbub.store.db import open_engine
from hubbub.workspace import api_token

STATIC = Path(__file__).parent / "web" / "static"
API_PREFIX = "/api/v1"
# style-src needs 'unsafe-inline' for the chart legend swatches' style attributes
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def create_app(settings: Settings) -> FastAPI:
    """Open the store once and build the app; the engine is disposed on shutdown."""
    engine = open_engine(settings)
    token = api_token(settings)  # creates HOME/api_token (0600) on first start

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        queue = getattr(app.state, "webhook_queue", None)  # at scale: the NATS connection
        if queue is not None:
            queue.close()
        engine.dispose()

    app = FastAPI(
        title="Hubbub", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    api = create_api()
    # The mounted API sees its own app object: share the same state with it.
    for target in (app, api):
        target.state.engine = engine
        target.state.settings = settings
        target.state.api_token = token
    app.state.csrf_key = csrf.signing_key(token)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        # Defence in depth behind autoescaping: only our own scripts ever run.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.mount(API_PREFIX, api, name="api")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(web_router)
    app.add_exception_handler(LoginRequired, login_redirect)
    app.include_router(webhook_router)  # POST /hooks/{source_id}: signed deliveries

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, object]:
        with engine.connect() as conn:
            return {"status": "ok", **totals(conn)}

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        # Swagger UI and ReDoc need a CDN; list the endpoints from our own schema instead.
        schema = api.openapi()
        endpoints = [
            {
                "method": method.upper(),
                "path": API_PREFIX + path,
                "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "params": [p["name"] for p in op.get("parameters", [])],
            }
            for path, ops in schema["paths"].items()
            for method, op in ops.items()
        ]
        return page(request, "api_docs.html", {"nav": "", "endpoints": endpoints})

    @app.exception_handler(StarletteHTTPException)
    async def html_errors(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = exc.detail if exc.status_code == 403 else "That page does not exist."
        return page(
            request,
            "error.html",
            {"status": exc.status_code, "message": message},
            status_code=exc.status_code,
        )

    return app
