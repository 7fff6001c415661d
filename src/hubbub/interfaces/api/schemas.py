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
    sentiment_label: str | None = Field(
        description="positive, neutral or negative; null when not rated (see enrichments.sentiment)."
    )
    sentiment_score: float | None
    dup_cluster: str | None
    duplicate_copies: int = Field(1, description="Posts in this post's duplicate cluster.")
    created_at: datetime | None
    ingested_at: datetime | None
    edited_at: datetime | None = Field(None, description="When the post was last edited upstream.")
    deleted_at: datetime | None = Field(
        None, description="When the post was deleted upstream (sources that mark deletes)."
    )
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


class BackfillPublic(BaseModel):
    """Re-matching stored history after a query is saved or changed."""

    state: Literal["never", "pending", "running", "done", "failed", "stalled"] = Field(
        description="stalled: pending or running with no progress for 2 minutes (its process died)."
    )
    done: int = Field(description="Stored posts evaluated so far.")
    total: int | None = Field(description="Stored posts to evaluate.")
    matched: int | None = Field(description="Matching posts, once done.")
    percent: int
    error: str | None
    updated_at: datetime | None


class QueryPublic(BaseModel):
    id: int
    name: str
    query: str
    enabled: bool
    created_at: datetime
    updated_at: datetime
    match_count: int
    backfill: BackfillPublic | None = None


class QueryTest(BaseModel):
    query: str = Field(min_length=1)
    sample_size: int = Field(10, ge=0, le=50, description="How many sample posts (as `limit`).")
    limit: int | None = Field(None, ge=0, le=50, description="How many sample posts.")
    since: str | None = Field(
        None,
        description="How far back: e.g. 12h, 30d, 2w; null (the default) or 'all': all history.",
    )
    post_ids: list[int] = Field(
        default_factory=list, max_length=50, description="Stored posts to explain."
    )


class HighlightSpan(BaseModel):
    part: Literal["title", "text"]
    start: int = Field(description="Code-point offset into the post's `part`.")
    end: int
    terms: list[str] = Field(description="The query terms found there.")


class SamplePost(PostPublic):
    highlights: list[HighlightSpan]


class DayCount(BaseModel):
    day: str = Field(description="A UTC day, YYYY-MM-DD.")
    count: int


class ClauseExplanation(BaseModel):
    text: str = Field(description="The clause as query text.")
    kind: Literal["all", "any", "not", "term", "phrase", "near", "filter", "scope"]
    matched: bool
    detail: str
    children: list[ClauseExplanation]


class PostExplanation(BaseModel):
    post_id: int
    found: bool
    matched: bool | None = None
    tree: ClauseExplanation | None = None
    highlights: list[HighlightSpan] = Field(default_factory=list)


class QueryTestResult(BaseModel):
    count: int = Field(description="Stored posts matching in the window (counted up to a cap).")
    capped: bool
    since: datetime | None = None
    per_day: list[DayCount] = Field(default_factory=list, description="Oldest first, zero-filled.")
    sample: list[SamplePost]
    explanations: list[PostExplanation] = Field(default_factory=list)


class SourceCreate(BaseModel):
    kind: str
    settings: dict[str, Any] = Field(
        description="The connector's settings; credentials are stored encrypted."
    )
    name: str | None = None


class SourceUpdate(BaseModel):
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Settings to change; credentials are stored encrypted."
    )
    unset: list[str] = Field(default_factory=list, description="Settings to drop (defaults).")


class SourceHealth(BaseModel):
    state: Literal["ok", "idle", "backing off", "failing", "disabled", "never run"] = Field(
        description="ok; idle (works, stored nothing in the last hour); backing off (failed, "
        "retried later with exponential backoff); failing (failed `failing_after` times in a "
        "row: see last_error); disabled; never run."
    )
    consecutive_failures: int = Field(description="Failed runs since the last success.")
    failing_after: int = Field(description="Consecutive failures from which state is failing.")
    last_run_at: datetime | None
    last_success_at: datetime | None = Field(description="The last run that raised no error.")
    last_error_at: datetime | None
    last_error: str | None = Field(description="The last run's error message (no credentials).")
    next_run_at: datetime | None = Field(
        description="Next attempt: the poll interval, or the backoff / Retry-After after errors."
    )
    newest_item_at: datetime | None = Field(
        description="Publication time of the newest stored post from this source."
    )
    lag_seconds: float | None = Field(
        description="How far behind live: now minus the connector's cursor time where it has "
        "one (Bluesky), else minus newest_item_at."
    )
    lag_basis: Literal["cursor", "newest item"] | None
    items_per_minute_15m: float | None = Field(
        description="Posts stored from this source per minute, over the last 15 minutes."
    )
    items_per_minute_60m: float | None = Field(description="The same over the last 60 minutes.")
    items_ingested: int
    items_rejected: int


class SourcePublic(BaseModel):
    id: int
    kind: str
    name: str
    enabled: bool
    created_at: datetime | None
    settings: dict[str, Any] = Field(
        description='Settings; every credential that is set reads "********" (never returned).'
    )
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
    unknown: int = Field(
        description="Posts without a sentiment: in a language the model does not rate "
        "(setting sentiment_languages), or stored before sentiment ran."
    )


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


class IntentsUpdate(BaseModel):
    labels: list[str] = Field(
        description="The post's intents: complaint, question, praise, purchase_intent, "
        "feature_request, bug_report, recruiting, spam, or other (alone).",
        min_length=1,
    )


class IntentCorrection(BaseModel):
    labels: list[str]
    corrected_by: str
    created_at: datetime


class IntentsPublic(BaseModel):
    post_id: int
    labels: list[str]
    scores: dict[str, float]
    model: str = Field(description='"human" once corrected, else the model version.')
    corrections: list[IntentCorrection] = Field(default_factory=list, description="Newest first.")
