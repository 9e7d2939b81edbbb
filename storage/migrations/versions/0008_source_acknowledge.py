"""alerts remember when their source acknowledged them (escalation pauses until a re-trigger)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(
            sa.Column("source_acknowledged_at", storage.types.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("source_acknowledged_at")
