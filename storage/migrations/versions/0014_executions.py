"""executions: approved fixes carried out, and the target each fix was proposed for

`remediation.target` keeps the bindings resolved when the fix was proposed (what the
approver saw); `execution` is each run of an action (storage/execution_models.py).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_LIVE = "status IN ('queued', 'launching', 'running')"


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("remediation") as table:
        table.add_column(sa.Column("target", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "execution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", _text(64), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("remediation_id", sa.Integer(), nullable=True),
        sa.Column("kind", _text(48), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("leased_by", _text(64), nullable=True),
        sa.Column("expires_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("external_id", _text(500), nullable=False),
        sa.Column("detail", _text(500), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"]),
        sa.ForeignKeyConstraint(["remediation_id"], ["remediation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_execution_alert_id", "execution", ["alert_id"])
    op.create_index("ix_execution_remediation_id", "execution", ["remediation_id"])
    op.create_index("ix_execution_due", "execution", ["due_at"],
                    sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE))


def downgrade() -> None:
    op.drop_table("execution")
    with op.batch_alter_table("remediation") as table:
        table.drop_column("target")
