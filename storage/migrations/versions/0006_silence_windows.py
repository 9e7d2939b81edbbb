"""silences end: alerts remember the silence that keeps them quiet; weekly windows

`alert.silenced_by` names the silence an alert was silenced under, so the silence
tick can bring it back when that silence ends (rule-suppressed alerts have none).
`silence.every` holds a weekly window such as "sun 02:00-04:00".

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("silence") as batch:
        batch.add_column(
            sa.Column("every", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("silenced_by", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_alert_silenced_by", "silence", ["silenced_by"], ["id"])
    op.create_index(
        "ix_alert_silenced_by", "alert", ["silenced_by"], unique=False,
        sqlite_where=sa.text("status = 'silenced'"),
        postgresql_where=sa.text("status = 'silenced'"),
    )


def downgrade() -> None:
    op.drop_index("ix_alert_silenced_by", table_name="alert")
    with op.batch_alter_table("alert") as batch:
        batch.drop_constraint("fk_alert_silenced_by", type_="foreignkey")
        batch.drop_column("silenced_by")
    with op.batch_alter_table("silence") as batch:
        batch.drop_column("every")
