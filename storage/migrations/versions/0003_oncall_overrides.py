"""on-call overrides, digests sent, approval reminders, escalation and digest indexes

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SNOOZED = sa.text("snoozed_until IS NOT NULL")
_PENDING = sa.text("status = 'pending'")
_WINDOWS = ("first_seen", "claimed_at", "resolved_at")


def upgrade() -> None:
    op.create_table(
        "oncall_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("layer", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["email"], ["person.email"]),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_oncall_override_window", "oncall_override", ["tenant_id", "ends_at"])
    op.create_table(
        "digest_sent",
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "platform", "channel", "local_date"),
    )
    for column in _WINDOWS:
        op.create_index(f"ix_alert_tenant_{column}", "alert", ["tenant_id", column])
    op.create_index("ix_alert_tenant_status_first_seen", "alert",
                    ["tenant_id", "status", "first_seen"])
    op.create_index(
        "ix_alert_snooze_due", "alert", ["snoozed_until"],
        sqlite_where=_SNOOZED, postgresql_where=_SNOOZED,
    )
    with op.batch_alter_table("remediation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", storage.types.UTCDateTime(), nullable=True))
    op.create_index(
        "ix_remediation_pending", "remediation", ["proposed_at"],
        sqlite_where=_PENDING, postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_remediation_pending", table_name="remediation")
    with op.batch_alter_table("remediation", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
    op.drop_index("ix_alert_snooze_due", table_name="alert")
    op.drop_index("ix_alert_tenant_status_first_seen", table_name="alert")
    for column in _WINDOWS:
        op.drop_index(f"ix_alert_tenant_{column}", table_name="alert")
    op.drop_table("digest_sent")
    op.drop_index("ix_oncall_override_window", table_name="oncall_override")
    op.drop_table("oncall_override")
