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
    UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    Index("ix_posts_created_at", "created_at"),
    Index("ix_posts_dup_cluster", "dup_cluster"),
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
