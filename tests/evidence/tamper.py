"""What a database administrator can do to the audit log: rewrite an event, re-hash every
event after it and move the tenant's head, so that the chain alone says "intact". On
PostgreSQL they first switch the append-only trigger off for their session
(`SET session_replication_role = replica`, as a superuser may)."""

from sqlalchemy import select, text, update

from storage.chain import CHAINED, event_hash
from storage.models import AuditEvent, Tenant, table_of

EVENTS, TENANTS = table_of(AuditEvent), table_of(Tenant)


async def rewrite(db, tenant: str, seq: int, details: dict) -> None:
    """Event #seq of `tenant` gets `details`; the chain after it is re-hashed to match."""
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        rows = (await conn.execute(
            select(*(EVENTS.c[k] for k in (*CHAINED, "hash")))
            .where(EVENTS.c.tenant_id == tenant, EVENTS.c.seq >= seq)
            .order_by(EVENTS.c.seq))).mappings().all()
        prev = rows[0]["prev_hash"]
        for row in rows:
            fields = dict(row) | {"prev_hash": prev}
            if row["seq"] == seq:
                fields["details"] = details
            fields["hash"] = prev = event_hash(fields)
            await conn.execute(
                update(EVENTS).where(EVENTS.c.tenant_id == tenant, EVENTS.c.seq == row["seq"])
                .values(details=fields["details"], prev_hash=fields["prev_hash"],
                        hash=fields["hash"]))
        await conn.execute(update(TENANTS).where(TENANTS.c.id == tenant)
                           .values(audit_head=prev))


async def drop_tail(db, tenant: str, after: int) -> None:
    """Delete every event after #after and move the head back to it."""
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        await conn.execute(EVENTS.delete().where(EVENTS.c.tenant_id == tenant,
                                                 EVENTS.c.seq > after))
        head = (await conn.execute(select(EVENTS.c.hash).where(
            EVENTS.c.tenant_id == tenant, EVENTS.c.seq == after))).scalar_one()
        await conn.execute(update(TENANTS).where(TENANTS.c.id == tenant)
                           .values(audit_head=head, audit_seq=after))


async def execute(db, sql: str, **params) -> None:
    """Any other statement, as the administrator."""
    async with db.engine.begin() as conn:
        await conn.execute(text(sql), params)
