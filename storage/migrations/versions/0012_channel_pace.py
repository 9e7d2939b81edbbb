"""channel_pace: each chat channel's send schedule, shared by every replica

Replicas pacing posts on their own sent two replicas' worth into one channel; the
schedule (a GCRA arrival time and any Retry-After hold) now lives in the database.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_pace",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.Column("held_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel"),
    )


def downgrade() -> None:
    op.drop_table("channel_pace")
