"""Counts over time for dashboards."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from hubbub.analytics.volume import sentiment_over_time, volume
from hubbub.interfaces.api.deps import ConnDep, requires
from hubbub.interfaces.api.schemas import SentimentPoint, VolumePoint

router = APIRouter(prefix="/stats", tags=["stats"])

Days = Annotated[int, Query(ge=1, le=366, description="Window length, ending now.")]
BucketParam = Annotated[Literal["day", "hour"], Query()]


@router.get("/volume", response_model=list[VolumePoint], dependencies=[requires("analytics.view")])
def volume_stats(
    conn: ConnDep, query_id: int | None = None, days: Days = 14, bucket: BucketParam = "day"
) -> list[VolumePoint]:
    """Posts per bucket (UTC), all posts or one query's matches; empty buckets are 0."""
    if bucket == "hour":
        days = min(days, 31)  # at most 744 hourly buckets
    return [VolumePoint(**p) for p in volume(conn, query_id=query_id, days=days, bucket=bucket)]


@router.get(
    "/sentiment", response_model=list[SentimentPoint], dependencies=[requires("analytics.view")]
)
def sentiment_stats(
    conn: ConnDep, query_id: int | None = None, days: Days = 14, bucket: BucketParam = "day"
) -> list[SentimentPoint]:
    """Posts per bucket (UTC) per sentiment label."""
    if bucket == "hour":
        days = min(days, 31)
    return [
        SentimentPoint(**p)
        for p in sentiment_over_time(conn, query_id=query_id, days=days, bucket=bucket)
    ]
