"""Reading back what the escalation machinery wrote: alert timers, pings, outbox rows."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.commands import Command, Identity
from handlers.lifecycle.dispatch import execute
from storage.models import Alert, AuditEvent
from storage.outbox_models import Outbox

T0 = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)  # conftest's NOW: alerts open then


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def alert(db, short_id: str) -> Alert:
    async with db.unit() as uow:
        session = await uow.session()
        query = select(Alert).where(Alert.short_id == short_id)
        return (await session.execute(query)).scalar_one()


async def events(db, verb: str, short_id: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.verb == verb).order_by(AuditEvent.id)
    if short_id:
        query = query.where(AuditEvent.alert == short_id)
    async with db.unit() as uow:
        session = await uow.session()
        return list((await session.execute(query)).scalars())


async def rows(db, *kinds: str) -> list[Outbox]:
    query = select(Outbox).where(Outbox.kind.in_(kinds)).order_by(Outbox.id)
    async with db.unit() as uow:
        session = await uow.session()
        return list((await session.execute(query)).scalars())


async def act(db, cfg, verb, short_id: str, email: str, when: datetime, **args):
    result = await execute(db, cfg, Command(verb, short_id, Identity(email=email), args), when)
    assert result.ok, result.message
    return result
