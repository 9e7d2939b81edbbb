"""Reading and writing audit checkpoints (storage/checkpoint_models.py)."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.chain import GENESIS
from storage.checkpoint_models import AuditCheckpoint
from storage.errors import translated
from storage.models import Tenant


async def head(session: AsyncSession, tenant_id: str) -> tuple[int, str]:
    """The tenant's chain head as committed: (seq, hash), (0, GENESIS) before any event."""
    found = (await session.execute(
        select(col(Tenant.audit_seq), col(Tenant.audit_head))
        .where(col(Tenant.id) == tenant_id))).one_or_none()
    if found is None or not found[0]:
        return 0, GENESIS
    return found[0], found[1]


async def made(session: AsyncSession, tenant_id: str, day: date) -> bool:
    """Whether the tenant's checkpoint of that local day exists."""
    return await session.get(AuditCheckpoint, (tenant_id, day)) is not None


async def record(session: AsyncSession, tenant_id: str, day: date, seq: int, value: str,
                 at: datetime, key_id: str, signature: str) -> None:
    """Store the tenant's checkpoint of local day `day`; raises Conflict when another
    process stored that day's first."""
    session.add(AuditCheckpoint(tenant_id=tenant_id, local_date=day, seq=seq, hash=value,
                                at=at, key_id=key_id, signature=signature))
    with translated():
        await session.flush()


async def chains(session: AsyncSession) -> set[str]:
    """The tenants that have an audit chain (a tenant row)."""
    return set((await session.execute(select(col(Tenant.id)))).scalars())


async def in_range(session: AsyncSession, tenant_id: str, start: datetime,
                   end: datetime) -> list[AuditCheckpoint]:
    """The tenant's checkpoints made at or after `start` and before `end`, by seq."""
    query = (select(AuditCheckpoint)
             .where(col(AuditCheckpoint.tenant_id) == tenant_id,
                    col(AuditCheckpoint.at) >= start, col(AuditCheckpoint.at) < end)
             .order_by(col(AuditCheckpoint.seq), col(AuditCheckpoint.at)))
    return list((await session.execute(query)).scalars())


async def of_tenant(session: AsyncSession, tenant_id: str | None) -> list[AuditCheckpoint]:
    """Every stored checkpoint (of one tenant, or all), by tenant and seq."""
    query = select(AuditCheckpoint).order_by(col(AuditCheckpoint.tenant_id),
                                             col(AuditCheckpoint.seq), col(AuditCheckpoint.at))
    if tenant_id is not None:
        query = query.where(col(AuditCheckpoint.tenant_id) == tenant_id)
    return list((await session.execute(query)).scalars())
