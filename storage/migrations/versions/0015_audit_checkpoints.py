"""audit checkpoints: each tenant's signed chain head, one a local day

Tandem signs the head of each tenant's audit chain daily and posts it into the tenant's
channels; the row keeps Tandem's own copy (storage/checkpoint_models.py).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("tenant_id", _text(64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", _text(64), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("key_id", _text(16), nullable=False),
        sa.Column("signature", _text(128), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "local_date"),
    )
    op.create_index("ix_audit_checkpoint_tenant_at", "audit_checkpoint", ["tenant_id", "at"])


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
