"""Source health: indexes for each source's newest post and its recent posts
(lag behind live, items per minute), read on every sources page and status.

Revision ID: 0002_source_health
Revises: 0001
"""

from alembic import op

revision = "0002_source_health"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_posts_source_created", "posts", ["source_id", "created_at"])
    op.create_index("ix_posts_source_ingested", "posts", ["source_id", "ingested_at"])


def downgrade() -> None:
    op.drop_index("ix_posts_source_ingested", table_name="posts")
    op.drop_index("ix_posts_source_created", table_name="posts")
