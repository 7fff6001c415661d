"""Request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class PostPublic(BaseModel):
    id: int
    platform: str
    external_id: str
    url: str | None
    title: str | None
    text: str
    author_handle: str | None
    author_name: str | None
    author_followers: int | None
    language: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    dup_cluster: str | None
    duplicate_copies: int = Field(1, description="Posts in this post's duplicate cluster.")
    created_at: datetime | None
    ingested_at: datetime | None
    likes: int | None
    reposts: int | None
    replies: int | None
    links: list[str]
    source_id: int | None
    queries: list[int] = Field(default_factory=list, description="Ids of queries it matched.")


class PostDetail(PostPublic):
    enrichments: dict[str, Any]
    raw: dict[str, Any] | None


class PostPage(BaseModel):
    items: list[PostPublic]
    next_before_id: int | None = Field(
        None, description="Pass as before_id to get the next (older) page; null at the end."
    )


class QueryCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1)
    enabled: bool = True


class QueryUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    query: str | None = Field(None, min_length=1)
    enabled: bool | None = None


class QueryPublic(BaseModel):
    id: int
    name: str
    query: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    match_count: int


class QueryTest(BaseModel):
    query: str = Field(min_length=1)
    sample_size: int = Field(10, ge=0, le=50)


class QueryTestResult(BaseModel):
    count: int = Field(description="Stored posts matching (counted up to `capped_at`).")
    capped: bool
    sample: list[PostPublic]


class SourceCreate(BaseModel):
    kind: str
    settings: dict[str, Any]
    name: str | None = None


class SourceHealth(BaseModel):
    state: Literal["disabled", "never run", "ok", "failing", "down"]
    consecutive_failures: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    next_run_at: datetime | None
    items_ingested: int
    items_rejected: int


class SourcePublic(BaseModel):
    id: int
    kind: str
    name: str
    enabled: bool
    created_at: datetime | None
    settings: dict[str, Any] = Field(description="Settings, without any that look like secrets.")
    health: SourceHealth


class IngestErrorPublic(BaseModel):
    id: int
    source_id: int | None
    item: str
    message: str
    created_at: datetime


class VolumePoint(BaseModel):
    bucket: str
    count: int


class SentimentPoint(BaseModel):
    bucket: str
    positive: int
    neutral: int
    negative: int
    unknown: int


class Status(BaseModel):
    posts: int
    matches: int
    sources: int
    queries: int
    source_health: list[SourcePublic]


class SyntaxErrorDetail(BaseModel):
    message: str
    position: int
    expected: str | None
