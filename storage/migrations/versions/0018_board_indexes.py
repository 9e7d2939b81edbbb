"""board indexes: the console's board pages and counts (storage/board.py)

`ix_alert_board_live` reads a tenant's live alerts newest first, so a page of the board
stops after its rows however many alerts are open; `ix_alert_board_counts` answers the
counts per severity from the index alone; `ix_storm_alert_alert` finds the storm of a
page's alerts without reading every storm's alerts.

Revision ID: 0018
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_LIVE = sa.text("status != 'resolved'")


def upgrade() -> None:
    op.create_index("ix_alert_board_live", "alert", ["tenant_id", "first_seen", "id"],
                    sqlite_where=_LIVE, postgresql_where=_LIVE)
    op.create_index("ix_alert_board_counts", "alert",
                    ["tenant_id", "severity", "status", "owner_email"])
    op.create_index("ix_storm_alert_alert", "storm_alert", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_storm_alert_alert", "storm_alert")
    op.drop_index("ix_alert_board_counts", "alert")
    op.drop_index("ix_alert_board_live", "alert")
