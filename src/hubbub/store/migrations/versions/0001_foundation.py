"""Foundation: sources, posts with full-text search, enrichments, queries, matches.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("cursor", sa.JSON),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_run_at", TZ),
        sa.Column("last_success_at", TZ),
        sa.Column("last_error_at", TZ),
        sa.Column("last_error", sa.Text),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("items_ingested", sa.Integer, nullable=False),
        sa.Column("items_rejected", sa.Integer, nullable=False),
        sa.Column("next_run_at", TZ),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(500), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("author_handle", sa.String(500)),
        sa.Column("author_name", sa.String(500)),
        sa.Column("author_followers", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.Column("reply_to", sa.String(500)),
        sa.Column("thread_root", sa.String(500)),
        sa.Column("likes", sa.Integer),
        sa.Column("reposts", sa.Integer),
        sa.Column("replies", sa.Integer),
        sa.Column("links", sa.JSON),
        sa.Column("raw", sa.JSON),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        sa.Column("sentiment_label", sa.String(16)),
        sa.Column("sentiment_score", sa.Float),
        sa.Column("dup_cluster", sa.String(64)),
        sa.Column("duplicate_of", sa.Integer),
        sa.UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.create_index("ix_posts_dup_cluster", "posts", ["dup_cluster"])
    op.create_table(
        "enrichments",
        sa.Column(
            "post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("enricher", sa.String(60), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "listening_queries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "matches",
        sa.Column(
            "query_id",
            sa.Integer,
            sa.ForeignKey("listening_queries.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "post_id", sa.Integer, sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("matched_at", TZ, nullable=False),
    )
    op.create_index("ix_matches_post_id", "matches", ["post_id"])
    op.create_table(
        "ingest_errors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE")),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_ingest_errors_source_id", "ingest_errors", ["source_id", "id"])

    # Full-text index over search_text, which already holds folded tokens
    # (hubbub.listening.tokenize.index_text): both engines take them verbatim.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='posts', "
            "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '#@_'\")"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN "
            "INSERT INTO posts_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN "
            "INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER posts_fts_au AFTER UPDATE OF search_text ON posts BEGIN "
            "INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            "INSERT INTO posts_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
    else:
        op.execute(
            "ALTER TABLE posts ADD COLUMN search_tsv tsvector "
            "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search_tsv ON posts USING GIN (search_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS posts_fts")
    for table in (
        "ingest_errors",
        "matches",
        "listening_queries",
        "enrichments",
        "posts",
        "sources",
    ):
        op.drop_table(table)
