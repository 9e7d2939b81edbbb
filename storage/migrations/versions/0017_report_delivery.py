"""report delivery: the monthly report's PDF, once per tenant and month, and the channels
it was queued for

Revision ID: 0017
Revises: 0014
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "report_file",
        sa.Column("id", _text(64), nullable=False),
        sa.Column("tenant_id", _text(64), nullable=False),
        sa.Column("month", _text(7), nullable=False),
        sa.Column("sha256", _text(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "month"),
    )
    op.create_table(
        "report_sent",
        sa.Column("tenant_id", _text(64), nullable=False),
        sa.Column("month", _text(7), nullable=False),
        sa.Column("platform", _text(16), nullable=False),
        sa.Column("channel", _text(200), nullable=False),
        sa.Column("report_id", _text(64), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["report_file.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "month", "platform", "channel"),
    )


def downgrade() -> None:
    op.drop_table("report_sent")
    op.drop_table("report_file")
