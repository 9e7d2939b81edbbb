"""outbox rows that failed for good are kept as failed; an in-doubt post records when;
dispatcher instances beat, and their leases record them

`outbox.failed_at` marks a row the platform refused (channel_not_found, invalid_auth):
neither delivered nor retried until an operator re-queues it (`tandem outbox retry`).
`message_ref.inflight_at` is when a first post was marked in flight, so a restarted
dispatcher searches the channel's history from then on, however much was posted since.
`outbox_instance` has one row per running dispatcher, its heartbeat refreshed every few
seconds, and `outbox.leased_by` names the instance holding a row's lease: a lease whose
instance stopped beating is taken over without waiting for it to run out.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("failed_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("leased_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("message_ref") as batch:
        batch.add_column(sa.Column("inflight_at", storage.types.UTCDateTime(), nullable=True))
    op.create_table(
        "outbox_instance",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("beat_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("outbox_instance")
    with op.batch_alter_table("message_ref") as batch:
        batch.drop_column("inflight_at")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("leased_by")
        batch.drop_column("failed_at")
