"""Table definitions (SQLAlchemy Core). Migrations in ``migrations/`` create
them; this module is what the code reads and writes through."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# A configured connector instance: its settings, its cursor and its health.
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False, unique=True),
    Column("settings", JSON, nullable=False),
    Column("cursor", JSON),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_run_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("items_ingested", Integer, nullable=False, default=0),
    Column("items_rejected", Integer, nullable=False, default=0),
    Column("next_run_at", DateTime(timezone=True)),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(40), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("author_handle", String(500)),
    Column("author_name", String(500)),
    Column("author_followers", Integer),
    Column("text", Text, nullable=False),
    # folded, tokenized text maintained by hubbub.listening.tokenize.index_text;
    # the full-text index (FTS5 / tsvector) is built over it.
    Column("search_text", Text, nullable=False, default=""),
    Column("language", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("reply_to", String(500)),
    Column("thread_root", String(500)),
    Column("likes", Integer),
    Column("reposts", Integer),
    Column("replies", Integer),
    Column("links", JSON),
    Column("raw", JSON),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    # denormalized from enrichments for filtering and dashboards
    Column("sentiment_label", String(16)),
    Column("sentiment_score", Float),
    Column("dup_cluster", String(64)),
    Column("duplicate_of", Integer),
    # migration 0004_edits_deletes: the stable author id behind a changeable
    # handle (a Bluesky DID), the upstream edit this text is from, and when
    # the post was deleted upstream (a source whose ``deletes`` is "mark")
    Column("author_id", String(500)),
    Column("edited_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_dup_cluster", "dup_cluster"),
    # source health (migration 0002_source_health): newest post, posts per minute
    Index("ix_posts_source_created", "source_id", "created_at"),
    Index("ix_posts_source_ingested", "source_id", "ingested_at"),
)

# Every enricher's result for a post, with the enricher's version.
enrichments = Table(
    "enrichments",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("enricher", String(60), primary_key=True),
    Column("version", String(40), nullable=False),
    Column("data", JSON, nullable=False),
)

listening_queries = Table(
    "listening_queries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("query", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Backfill progress (migration 0003_query_backfill), kept on the row so any
    # web node can report it: state pending|running|done|failed (NULL: never),
    # the run that owns it, counts, and a heartbeat updated every chunk.
    Column("backfill_state", String(16)),
    Column("backfill_run", String(32)),
    Column("backfill_done", Integer),
    Column("backfill_total", Integer),
    Column("backfill_matched", Integer),
    Column("backfill_error", Text),
    Column("backfill_updated_at", DateTime(timezone=True)),
)

matches = Table(
    "matches",
    metadata,
    Column(
        "query_id",
        Integer,
        ForeignKey("listening_queries.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("matched_at", DateTime(timezone=True), nullable=False),
    Index("ix_matches_post_id", "post_id"),
)

# Items a source could not turn into posts: kept so a person can see what and why.
ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE")),
    Column("item", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Scale-out (migration 0006_leases). A lease makes one worker in the cluster the
# holder of a role that must not run twice (the source runner); it lapses at
# expires_at unless renewed, so another worker takes over when the holder dies.
leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
)

# A bus message whose effects a stage has committed: a redelivered message is
# recognised by its id and applied no second time.
processed_messages = Table(
    "processed_messages",
    metadata,
    Column("stage", String(40), primary_key=True),
    Column("message_id", String(100), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
    Index("ix_processed_messages_processed_at", "processed_at"),
)

# Migration 0004_edits_deletes. Every upstream delete, so a replayed create
# (or one that arrives after its delete) never brings a deleted post back;
# pruned after actions.ingest.TOMBSTONE_DAYS.
post_tombstones = Table(
    "post_tombstones",
    metadata,
    Column("platform", String(40), primary_key=True),
    Column("external_id", String(500), primary_key=True),
    Column("deleted_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_post_tombstones_recorded_at", "recorded_at"),
)

# Handles learnt for stable author ids (Bluesky DID -> handle): fills in posts
# whose connector could not resolve the author in time.
author_handles = Table(
    "author_handles",
    metadata,
    Column("platform", String(40), primary_key=True),
    Column("author_id", String(500), primary_key=True),
    Column("handle", String(500), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

# Migration 0005_intents. People's corrections of a post's intents (API, web
# UI): the latest replaces the model's labels on the post, and every one is
# training data for `hubbub train intent --corrections`.
intent_corrections = Table(
    "intent_corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("labels", JSON, nullable=False),
    # who: "api" (the token's holder) or "web"
    Column("corrected_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_intent_corrections_post_id", "post_id"),
)
