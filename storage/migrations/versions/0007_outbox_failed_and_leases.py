"""outbox rows that failed for good are kept as failed; an in-doubt post records when

`outbox.failed_at` marks a row the platform refused (channel_not_found, invalid_auth):
neither delivered nor retried until an operator re-queues it (`tandem outbox retry`).
`message_ref.inflight_at` is when a first post was marked in flight, so a restarted
dispatcher searches the channel's history from then on, however much was posted since.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("failed_at", storage.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("message_ref") as batch:
        batch.add_column(sa.Column("inflight_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message_ref") as batch:
        batch.drop_column("inflight_at")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("failed_at")
