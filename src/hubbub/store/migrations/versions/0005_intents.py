"""Intents: people's corrections of a post's intent labels.

Revision ID: 0005_intents
Revises: 0004_edits_deletes
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_intents"
down_revision = "0004_edits_deletes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intent_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "post_id",
            sa.Integer,
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("corrected_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_intent_corrections_post_id", "intent_corrections", ["post_id"])


def downgrade() -> None:
    op.drop_index("ix_intent_corrections_post_id", table_name="intent_corrections")
    op.drop_table("intent_corrections")
