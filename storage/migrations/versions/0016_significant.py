"""alerts flagged as significant incidents under NIS2, and the reports recorded since

`alert.significant_at` is when the alert was flagged (the NIS2 clocks start there);
`alert.significant_stages` holds each step recorded, as the audit log's `significant`
events do, so cards show the next deadline without reading the log.

Revision ID: 0016
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_FLAGGED = "significant_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("significant_at", storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("significant_stages", sa.JSON(), nullable=False,
                                   server_default="{}"))
    op.create_index("ix_alert_significant", "alert", ["tenant_id", "significant_at"],
                    sqlite_where=sa.text(_FLAGGED), postgresql_where=sa.text(_FLAGGED))


def downgrade() -> None:
    op.drop_index("ix_alert_significant", table_name="alert")
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("significant_stages")
        batch.drop_column("significant_at")
