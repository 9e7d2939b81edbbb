"""On-call overrides ("covers"): who covers on-call when, read by window through
ix_oncall_override_window (tenant, ends_at)."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import OncallOverride


async def overlapping(session: AsyncSession, tenant_id: str, start: datetime,
                      end: datetime) -> list[OncallOverride]:
    """The tenant's overrides overlapping [start, end], oldest first."""
    query = (
        select(OncallOverride)
        .where(col(OncallOverride.tenant_id) == tenant_id, col(OncallOverride.ends_at) > start,
               col(OncallOverride.starts_at) < end)
        .order_by(col(OncallOverride.id))
    )
    return list((await session.execute(query)).scalars())


async def add(session: AsyncSession, tenant_id: str, layer: str | None, email: str,
              starts_at: datetime, ends_at: datetime, created_by: str,
              created_at: datetime) -> int:
    """Write an override in the unit of work; returns its id."""
    row = OncallOverride(tenant_id=tenant_id, layer=layer, email=email, starts_at=starts_at,
                         ends_at=ends_at, created_by=created_by, created_at=created_at)
    session.add(row)
    await session.flush()
    return row.id
