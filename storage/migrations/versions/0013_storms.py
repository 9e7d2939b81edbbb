"""storms: new alerts grouped into one card per source and channel

`storm` is one group (its card's reference, whether a refresh waits in the outbox),
`storm_alert` the alerts that joined it, and `storm_window` counts each channel's new
alerts in its current window.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "storm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _text(64), nullable=False),
        sa.Column("platform", _text(16), nullable=False),
        sa.Column("channel", _text(200), nullable=False),
        sa.Column("source", _text(64), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ref", _text(200), nullable=True),
        sa.Column("queued", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_storm_lane", "storm", ["tenant_id", "platform", "channel", "last_at"])
    op.create_table(
        "storm_window",
        sa.Column("tenant_id", _text(64), nullable=False),
        sa.Column("platform", _text(16), nullable=False),
        sa.Column("channel", _text(200), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("stormy_until", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "platform", "channel"),
    )
    op.create_table(
        "storm_alert",
        sa.Column("storm_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["storm_id"], ["storm.id"]),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.PrimaryKeyConstraint("storm_id", "alert_id"),
    )


def downgrade() -> None:
    op.drop_table("storm_alert")
    op.drop_table("storm_window")
    op.drop_index("ix_storm_lane", "storm")
    op.drop_table("storm")
