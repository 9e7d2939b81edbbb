"""alerts keep a state version apart from their display version; the deployment's own chain

`version` moves on every change a card shows (a repeat's count included) and stays the
optimistic lock and the outbox's refresh mark. `state_version` moves only when the owner,
the status or the remediation changes: button payloads carry it, so a card shown before
a repeat still works. Existing alerts start with their current version, which the buttons
of cards already posted carry.

The tenant row `_deployment` (a tenant id the configuration cannot spell) holds the audit
chain of what concerns no tenant a person belongs to: strangers and other tenants' people
refused on an alert, so that a tenant's log never records what another tenant tried.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DEPLOYMENT = "_deployment"


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("state_version", sa.Integer(), nullable=False,
                                   server_default="1"))
    op.execute("UPDATE alert SET state_version = version")
    op.execute(
        "INSERT INTO tenant (id, name, code, timezone, next_alert_number, audit_seq, audit_head) "
        f"SELECT '{DEPLOYMENT}', 'Deployment', '_', 'UTC', 1, 0, '' "
        f"WHERE NOT EXISTS (SELECT 1 FROM tenant WHERE id = '{DEPLOYMENT}')"
    )


def downgrade() -> None:
    # The deployment's chain stays: audit events are never deleted (a trigger refuses it).
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("state_version")
