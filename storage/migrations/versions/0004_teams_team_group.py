"""teams channels remember their team's Microsoft 365 group id (for Graph look-ups)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams_conversation") as batch:
        batch.add_column(
            sa.Column("team_group_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("teams_conversation") as batch:
        batch.drop_column("team_group_id")
