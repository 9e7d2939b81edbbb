"""Intake's new alerts, written a group at a time, and an alert read back as stored.

A group of events that creates alerts takes their numbers in ONE UPDATE of the
tenant's counter and inserts them in ONE executemany INSERT (see handlers/intake/batch.py).
"""

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert, Tenant, table_of

_TENANT, _ALERT = table_of(Tenant), table_of(Alert)
# Built once: it runs for every group of events that creates alerts.
_NUMBERS = (
    update(_TENANT)
    .where(_TENANT.c.id == bindparam("tenant"))
    .values(next_alert_number=_TENANT.c.next_alert_number + bindparam("count"))
    .returning(_TENANT.c.next_alert_number)
)
_COLUMNS = [c.name for c in _ALERT.columns if c.name != "id"]


async def take_numbers(session: AsyncSession, tenant_id: str, count: int) -> int:
    """Reserve `count` consecutive alert numbers of the tenant; returns the first."""
    bumped = await session.execute(_NUMBERS, {"tenant": tenant_id, "count": count})
    return bumped.scalar_one() - count


async def insert_numbered(session: AsyncSession, tenant_id: str, alerts: list[Alert]) -> None:
    """One executemany INSERT of alerts numbered by `take_numbers`, then their ids by
    the numbers just taken (RETURNING in parameter order would cost SQLite one
    statement per row); each alert gets its id and version 1."""
    await session.execute(
        insert(_ALERT), [{c: getattr(a, c) for c in _COLUMNS} | {"version": 1} for a in alerts])
    numbers = [a.number for a in alerts]
    query = select(_ALERT.c.number, _ALERT.c.id).where(
        _ALERT.c.tenant_id == tenant_id, _ALERT.c.number.between(min(numbers), max(numbers)))
    ids: dict[int, int] = dict((await session.execute(query)).all())
    for alert in alerts:
        alert.id, alert.version = ids[alert.number], 1


async def current(session: AsyncSession, alert_id: int) -> Alert:
    """The alert as stored now, loaded afresh over whatever the session held."""
    return await session.get_one(Alert, alert_id, populate_existing=True)
