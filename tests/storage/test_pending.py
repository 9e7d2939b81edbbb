"""Audit events and outbox rows held by a unit of work commit with it, or not at all."""

import asyncio

import pytest
from sqlalchemy import func, select

from handlers.commands import Command, Identity, Outcome
from handlers.enums import Verb
from handlers.lifecycle.dispatch import execute
from storage import audit
from storage.models import AuditEvent
from storage.outbox_models import Outbox
from tests.conftest import NOW, new_alert

LEE = Identity(email="lee@acme.example")


class _Boom(Exception):
    pass


async def _counts(db) -> tuple[int, int]:
    async with db.read() as session:
        events = await session.scalar(select(func.count()).select_from(AuditEvent))
        rows = await session.scalar(select(func.count()).select_from(Outbox))
    return events, rows


def _note(text: str) -> dict:
    return {"at": NOW, "actor": "lee@acme.example", "verb": "comment", "details": {"text": text}}


async def test_a_unit_that_fails_leaves_nothing_while_its_neighbours_commit(db, cfg):
    """Concurrent units (on SQLite one write group) where every third one raises after
    holding an event and an outbox row: only the others' writes land, chained in order."""
    await new_alert(db, cfg)  # the chain already holds events
    before_events, before_rows = await _counts(db)

    async def unit(n: int) -> None:
        async with db.unit() as uow:
            uow.audit("acme", [_note(f"unit {n}")])
            uow.outbox([{
                "tenant_id": "acme", "alert_id": None, "kind": "card", "platform": "slack",
                "channel": f"C{n}", "payload": {}, "created_at": NOW, "due_at": NOW}])
            await asyncio.sleep(0)
            if n % 3 == 0:
                raise _Boom

    outcomes = await asyncio.gather(*(unit(n) for n in range(12)), return_exceptions=True)
    assert [isinstance(o, _Boom) for o in outcomes] == [n % 3 == 0 for n in range(12)]
    events, rows = await _counts(db)
    assert (events - before_events, rows - before_rows) == (8, 8)
    async with db.read() as session:
        notes = (await session.execute(
            select(AuditEvent.details).where(AuditEvent.verb == "comment")
            .order_by(AuditEvent.seq))).scalars().all()
    assert sorted(n["text"] for n in notes) == sorted(f"unit {n}" for n in range(12) if n % 3)
    assert (await audit.verify(db)).ok


async def test_commands_write_their_event_and_cards_when_the_unit_ends(db, cfg):
    short_id = await new_alert(db, cfg)
    before_events, before_rows = await _counts(db)
    done = await execute(db, cfg, Command(Verb.CLAIM, short_id, LEE), now=NOW)
    assert done.outcome is Outcome.DONE
    events, rows = await _counts(db)
    channels = len(cfg.tenant("acme").channels)
    assert (events - before_events, rows - before_rows) == (1, channels)


async def test_flush_lets_a_unit_read_back_what_it_holds(db):
    async with db.unit() as uow:
        session = await uow.session()
        uow.audit("acme", [_note("read me back")])
        await uow.flush()
        found = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.verb == "comment"))
        assert found == 1
    assert (await audit.verify(db)).ok


async def test_holding_writes_outside_a_unit_of_work_is_refused(db):
    """Once its block has ended a unit's writes are on their way to (or in) the database:
    anything held after that would be lost, so it is refused."""
    async with db.unit() as uow:
        pass
    with pytest.raises(RuntimeError, match="unit of work"):
        uow.audit("acme", [_note("lost")])
    with pytest.raises(RuntimeError, match="unit of work"):
        uow.outbox([{"tenant_id": "acme", "alert_id": None, "kind": "card", "platform": "slack",
                     "channel": "C-lost", "payload": {}, "created_at": NOW, "due_at": NOW}])
    assert await _counts(db) == (0, 0)


async def test_a_large_batch_chains_and_moves_the_head(db):
    """On PostgreSQL 2,500 events go as one INSERT ... SELECT; the head follows it."""
    async with db.unit() as uow:
        uow.audit("acme", [_note(f"bulk {n}") for n in range(2500)])
    checked = await audit.verify(db, "acme")
    assert checked.ok and checked.checked >= 2500
    async with db.read() as session:
        last = await session.scalar(select(AuditEvent.details).order_by(AuditEvent.seq.desc()))
    assert last == {"text": "bulk 2499"}
