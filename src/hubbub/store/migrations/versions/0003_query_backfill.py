"""Backfill progress on each listening query, so any web node can show it.

Revision ID: 0003_query_backfill
Revises: 0002_source_health
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_query_backfill"
down_revision = "0002_source_health"
branch_labels = None
depends_on = None

COLUMNS = (
    # pending | running | done | failed; NULL: never backfilled
    ("backfill_state", sa.String(16)),
    # the run that owns the progress: a newer run supersedes an older one
    ("backfill_run", sa.String(32)),
    ("backfill_done", sa.Integer),
    ("backfill_total", sa.Integer),
    ("backfill_matched", sa.Integer),
    ("backfill_error", sa.Text),
    # heartbeat: a running backfill updates it every chunk
    ("backfill_updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("listening_queries") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("listening_queries") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
