"""the monthly report reads a month of a few verbs of a tenant's audit log

ix_audit_event_tenant_verb_at (tenant, verb, time): the report's pass over the month's
claims, hand-overs, resolutions, pings and snoozes, and its look for incidents flagged
significant in the weeks before, read only those events instead of every event the
tenant ever logged, so a report costs the same in a tenant's first month and its fifth
year.

Revision ID: 0016_report_indexes
Revises: 0014
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_tenant_verb_at", "audit_event", ["tenant_id", "verb", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_tenant_verb_at", table_name="audit_event")
