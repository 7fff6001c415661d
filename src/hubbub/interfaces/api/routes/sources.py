"""Sources: configured through hubbub.actions.sources. Credentials are stored
encrypted and never returned: they read "********"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from hubbub.actions import sources as actions
from hubbub.analytics.sources import get_source, list_sources, recent_errors
from hubbub.interfaces.api.deps import ConnDep, EngineDep, SettingsDep, requires
from hubbub.interfaces.api.errors import not_found
from hubbub.interfaces.api.schemas import (
    IngestErrorPublic,
    SourceCreate,
    SourcePublic,
    SourceUpdate,
)
from hubbub.sources.base import ConfigError
from hubbub.store.credentials import CredentialCipher

router = APIRouter(prefix="/sources", tags=["sources"])


def _load(engine: EngineDep, settings: SettingsDep, source_id: int) -> SourcePublic:
    with engine.connect() as conn:
        found = get_source(conn, source_id, settings.source_failing_after)
    if found is None:
        raise not_found(f"source {source_id}")
    return SourcePublic(**found)


@router.get("", response_model=list[SourcePublic], dependencies=[requires("source.view")])
def list_all(conn: ConnDep, settings: SettingsDep) -> list[SourcePublic]:
    """Every source with its health (state, errors, backoff, lag, items per minute)."""
    return [SourcePublic(**s) for s in list_sources(conn, settings.source_failing_after)]


@router.post(
    "", response_model=SourcePublic, status_code=201, dependencies=[requires("source.manage")]
)
def create(engine: EngineDep, settings: SettingsDep, body: SourceCreate) -> SourcePublic:
    try:
        source_id = actions.add_source(
            engine, body.kind, body.settings, name=body.name, cipher=CredentialCipher(settings)
        )
    except ConfigError as err:
        raise HTTPException(422, detail=str(err)) from err
    return _load(engine, settings, source_id)


@router.get("/{source_id}", response_model=SourcePublic, dependencies=[requires("source.view")])
def get_one(engine: EngineDep, settings: SettingsDep, source_id: int) -> SourcePublic:
    return _load(engine, settings, source_id)


@router.patch("/{source_id}", response_model=SourcePublic, dependencies=[requires("source.manage")])
def change(
    engine: EngineDep, settings: SettingsDep, source_id: int, body: SourceUpdate
) -> SourcePublic:
    """Change settings, checked by the connector; the source is tried again soon."""
    try:
        actions.update_settings(
            engine, source_id, body.settings, CredentialCipher(settings), unset=body.unset
        )
    except actions.SourceNotFound as err:
        raise not_found(f"source {source_id}") from err
    except ConfigError as err:
        raise HTTPException(422, detail=str(err)) from err
    return _load(engine, settings, source_id)


@router.delete("/{source_id}", status_code=204, dependencies=[requires("source.manage")])
def delete(engine: EngineDep, source_id: int) -> Response:
    try:
        actions.remove_source(engine, source_id)
    except actions.SourceNotFound as err:
        raise not_found(f"source {source_id}") from err
    return Response(status_code=204)


def _set_enabled(
    engine: EngineDep, settings: SettingsDep, source_id: int, enabled: bool
) -> SourcePublic:
    try:
        actions.set_enabled(engine, source_id, enabled)
    except actions.SourceNotFound as err:
        raise not_found(f"source {source_id}") from err
    return _load(engine, settings, source_id)


@router.post(
    "/{source_id}/enable", response_model=SourcePublic, dependencies=[requires("source.manage")]
)
def enable(engine: EngineDep, settings: SettingsDep, source_id: int) -> SourcePublic:
    return _set_enabled(engine, settings, source_id, True)


@router.post(
    "/{source_id}/disable", response_model=SourcePublic, dependencies=[requires("source.manage")]
)
def disable(engine: EngineDep, settings: SettingsDep, source_id: int) -> SourcePublic:
    return _set_enabled(engine, settings, source_id, False)


@router.get(
    "/{source_id}/errors",
    response_model=list[IngestErrorPublic],
    dependencies=[requires("source.view")],
)
def errors(
    engine: EngineDep,
    settings: SettingsDep,
    source_id: int,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[IngestErrorPublic]:
    """The newest items this source could not turn into posts, and why."""
    _load(engine, settings, source_id)
    with engine.connect() as conn:
        rows = recent_errors(conn, [source_id], limit=limit)
    return [IngestErrorPublic(**{k: v for k, v in r.items() if k != "source_name"}) for r in rows]
