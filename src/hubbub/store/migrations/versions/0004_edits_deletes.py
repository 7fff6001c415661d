"""Edits and deletes: posts.author_id / edited_at / deleted_at, tombstones of
upstream deletes, and the author handle cache.

Revision ID: 0004_edits_deletes
Revises: 0003_query_backfill
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_edits_deletes"
down_revision = "0003_query_backfill"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch mode): SQLite keeps the FTS triggers on posts.
    op.add_column("posts", sa.Column("author_id", sa.String(500)))
    op.add_column("posts", sa.Column("edited_at", TZ))
    op.add_column("posts", sa.Column("deleted_at", TZ))
    op.create_table(
        "post_tombstones",
        sa.Column("platform", sa.String(40), primary_key=True),
        sa.Column("external_id", sa.String(500), primary_key=True),
        sa.Column("deleted_at", TZ, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_index("ix_post_tombstones_recorded_at", "post_tombstones", ["recorded_at"])
    op.create_table(
        "author_handles",
        sa.Column("platform", sa.String(40), primary_key=True),
        sa.Column("author_id", sa.String(500), primary_key=True),
        sa.Column("handle", sa.String(500), nullable=False),
        sa.Column("resolved_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("author_handles")
    op.drop_table("post_tombstones")
    for column in ("deleted_at", "edited_at", "author_id"):
        op.drop_column("posts", column)
