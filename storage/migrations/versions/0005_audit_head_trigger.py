"""the database moves each tenant's audit chain head as events are inserted

Appending used three statements: bump the tenant's sequence (taking its row lock), insert
the events, set the new head. The head now follows the inserted events in a trigger, so
an append is two statements and the tenant's row is locked for one round trip less.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_POSTGRESQL = (
    """
CREATE FUNCTION audit_event_move_head() RETURNS trigger AS $$
BEGIN
    UPDATE tenant SET audit_head = latest.hash
    FROM (SELECT DISTINCT ON (tenant_id) tenant_id, hash FROM appended
          ORDER BY tenant_id, seq DESC) AS latest
    WHERE tenant.id = latest.tenant_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER audit_event_moves_head
    AFTER INSERT ON audit_event REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_move_head()
""",
)
# SQLite has row triggers only; rows are inserted in sequence order, so the last wins.
_SQLITE = """
CREATE TRIGGER audit_event_moves_head AFTER INSERT ON audit_event
BEGIN
    UPDATE tenant SET audit_head = NEW.hash WHERE id = NEW.tenant_id;
END
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRESQL:
            op.execute(statement)
    else:
        op.execute(_SQLITE)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_moves_head" + (
        " ON audit_event" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_event_move_head()")
