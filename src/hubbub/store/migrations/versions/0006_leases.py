"""Scale-out: leases (one holder of a single-cursor role across the cluster)
and processed messages (a stage's effects applied once per message id).

Revision ID: 0006_leases
Revises: 0005_intents
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_leases"
down_revision = "0005_intents"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("acquired_at", TZ, nullable=False),
    )
    op.create_table(
        "processed_messages",
        sa.Column("stage", sa.String(40), primary_key=True),
        sa.Column("message_id", sa.String(100), primary_key=True),
        sa.Column("processed_at", TZ, nullable=False),
    )
    op.create_index("ix_processed_messages_processed_at", "processed_messages", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_processed_messages_processed_at", "processed_messages")
    op.drop_table("processed_messages")
    op.drop_table("leases")
