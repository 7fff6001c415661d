"""Scale-out: lag per stage (/cluster) and the dead letters (/dlq), listed,
replayed and dropped. 503 when NATS is not configured or does not answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel

from hubbub.interfaces.api.deps import EngineDep, SettingsDep, requires
from hubbub.interfaces.api.errors import not_found
from hubbub.workers import inspect

router = APIRouter(tags=["workers"])


class StageLagPublic(BaseModel):
    stage: str
    subject: str
    pending: int
    in_flight: int
    redelivered: int


class ClusterPublic(BaseModel):
    enabled: bool
    error: str | None = None
    stages: list[StageLagPublic] = []
    dead_letters: int = 0
    sources_lease_holder: str | None = None


class DeadLetterPublic(BaseModel):
    seq: int
    subject: str
    error: str
    deliveries: int
    failed_at: str
    message_id: str | None
    size: int
    message: str | None = None


class Replayed(BaseModel):
    replayed: list[int]


def _unavailable(exc: inspect.ClusterUnavailable) -> HTTPException:
    return HTTPException(503, detail=str(exc))


@router.get("/cluster", response_model=ClusterPublic, dependencies=[requires("cluster.view")])
def cluster(engine: EngineDep, settings: SettingsDep) -> ClusterPublic:
    """Messages waiting and in flight per stage, dead letters, the sources lease.
    ``enabled`` is false on the embedded default (no NATS)."""
    found: dict[str, Any] | None = inspect.cluster_status(settings, engine)
    if found is None:
        return ClusterPublic(enabled=False)
    return ClusterPublic(enabled=True, **found)


@router.get("/dlq", response_model=list[DeadLetterPublic], dependencies=[requires("cluster.view")])
def dead_letters(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    with_message: bool = False,
) -> list[DeadLetterPublic]:
    """Dead letters, oldest first: the stage subject, the error, the tries."""
    try:
        found = inspect.list_dead_letters(settings, limit, with_message)
    except inspect.ClusterUnavailable as exc:
        raise _unavailable(exc) from exc
    return [DeadLetterPublic(**d) for d in found]


@router.post("/dlq/{seq}/replay", response_model=Replayed, dependencies=[requires("dlq.manage")])
def replay(settings: SettingsDep, seq: int) -> Replayed:
    """Publish the dead letter again on the subject it failed on."""
    try:
        done = inspect.replay_dead_letters(settings, [seq])
    except inspect.ClusterUnavailable as exc:
        raise _unavailable(exc) from exc
    if not done:
        raise not_found(f"dead letter {seq}")
    return Replayed(replayed=done)


@router.post("/dlq/replay", response_model=Replayed, dependencies=[requires("dlq.manage")])
def replay_all(settings: SettingsDep) -> Replayed:
    """Replay every dead letter."""
    try:
        return Replayed(replayed=inspect.replay_dead_letters(settings, None))
    except inspect.ClusterUnavailable as exc:
        raise _unavailable(exc) from exc


@router.delete("/dlq/{seq}", status_code=204, dependencies=[requires("dlq.manage")])
def drop(settings: SettingsDep, seq: int) -> Response:
    """Delete a dead letter without replaying it."""
    try:
        dropped = inspect.drop_dead_letter(settings, seq)
    except inspect.ClusterUnavailable as exc:
        raise _unavailable(exc) from exc
    if not dropped:
        raise not_found(f"dead letter {seq}")
    return Response(status_code=204)
