"""GET /status: totals and each source's health."""

from __future__ import annotations

from fastapi import APIRouter

from hubbub.analytics.counts import totals
from hubbub.analytics.sources import list_sources
from hubbub.interfaces.api.deps import ConnDep, SettingsDep, requires
from hubbub.interfaces.api.schemas import SourcePublic, Status

router = APIRouter(tags=["status"])


@router.get("/status", response_model=Status, dependencies=[requires("analytics.view")])
def status(conn: ConnDep, settings: SettingsDep) -> Status:
    found = list_sources(conn, settings.source_failing_after)
    return Status(**totals(conn), source_health=[SourcePublic(**s) for s in found])
