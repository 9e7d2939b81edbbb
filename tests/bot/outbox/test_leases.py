"""Leases record their dispatcher instance, which beats: a dead instance's lease is taken
over at once, a live one's is not, and a clean stop frees its leases; SQLite and PostgreSQL."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from bot.outbox.delivery import viewer
from bot.outbox.dispatcher import Dispatcher
from storage import outbox as outbox_store
from storage.instances import beat
from storage.outbox_models import Outbox, OutboxInstance
from tests.conftest import new_alert
from tests.fixed import Fixed

from .bench import FAST, dispatcher
from .test_dispatcher import card_posts

OTHER = "other-host-4242-0badf00d"  # the instance that leased the card before us


async def _leased_by(db, instance: str | None, until: datetime) -> None:
    """The Slack card lane as a worker of `instance` leaves it mid-post."""
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(update(Outbox).where(Outbox.platform == "slack").values(
            leased_by=instance, due_at=until))


async def _holders(db) -> set[str | None]:
    async with db.unit() as uow:
        session = await uow.session()
        return set((await session.execute(
            select(Outbox.leased_by).where(Outbox.platform == "slack"))).scalars())


async def _instances(db) -> set[str]:
    async with db.unit() as uow:
        session = await uow.session()
        return set((await session.execute(select(OutboxInstance.id))).scalars())


async def test_a_dead_instances_lease_is_taken_over_at_once(db, cfg, fake_slack):
    """The other process was killed 40 s ago, 20 s before its 60 s lease runs out."""
    await new_alert(db, cfg)
    now = datetime.now(UTC)
    await beat(db, OTHER, now - timedelta(seconds=40), now - timedelta(days=1))
    await _leased_by(db, OTHER, now + timedelta(seconds=20))
    async with dispatcher(db, cfg, fake_slack) as restarted:
        await asyncio.wait_for(restarted.drain(), 5)
        assert len(card_posts(fake_slack)) == 1
        assert await _instances(db) == set()  # the stale row is forgotten, ours dropped


async def test_a_lease_whose_instance_row_is_gone_is_free(db, cfg, fake_slack):
    await new_alert(db, cfg)
    await _leased_by(db, OTHER, datetime.now(UTC) + timedelta(seconds=50))
    async with dispatcher(db, cfg, fake_slack) as restarted:
        await restarted.drain()
    assert len(card_posts(fake_slack)) == 1


async def test_a_live_instances_lease_and_a_wait_are_respected(db, cfg, fake_slack):
    await new_alert(db, cfg)
    now = datetime.now(UTC)
    await beat(db, OTHER, now, now - timedelta(days=1))
    await _leased_by(db, OTHER, now + timedelta(seconds=50))
    async with dispatcher(db, cfg, fake_slack) as other:
        await other.drain()
        assert card_posts(fake_slack) == [] and await _holders(db) == {OTHER}
        await _leased_by(db, None, now + timedelta(seconds=50))  # a retry's backoff
        await beat(db, OTHER, now - timedelta(minutes=5), now - timedelta(days=1))
        await other.drain()
    assert card_posts(fake_slack) == [] and await _holders(db) == {None}


async def test_a_stopped_dispatcher_frees_its_leases_at_once(db, cfg, fake_slack):
    """A (running, beating) leases the lane as its worker would mid-post, and is stopped
    cleanly: B takes the lane over at once, where before it waited out the 60 s lease."""
    await new_alert(db, cfg)
    a = Dispatcher(db, Fixed(cfg), FAST, instance="a-1")  # no sender: it only beats
    running = asyncio.create_task(a.run())
    while "a-1" not in await _instances(db):
        await asyncio.sleep(0.01)
    async with db.read() as session:
        alert_id = (await session.execute(
            select(Outbox.alert_id).where(Outbox.platform == "slack"))).scalar_one()
    now = datetime.now(UTC)
    assert await outbox_store.claim_lane(
        db, outbox_store.Unit("slack", "C0OPS", "card", alert_id=alert_id), now,
        FAST.lease, outbox_store.Holder("a-1", now - FAST.dead_after), viewer(cfg))
    async with dispatcher(db, cfg, fake_slack, instance="b-1") as b:
        await b.drain()
        assert card_posts(fake_slack) == [] and await _holders(db) == {"a-1"}
        await a.close()
        await running
        assert "a-1" not in await _instances(db)
        await asyncio.wait_for(b.drain(), 5)
    assert len(card_posts(fake_slack)) == 1
    assert await _holders(db) == {"b-1"}


async def test_the_heartbeat_is_refreshed_while_running(db, cfg, fake_slack):
    quick = replace(FAST, heartbeat_seconds=0.05)
    async with dispatcher(db, cfg, fake_slack, tuning=quick, instance="beating") as running:
        task = asyncio.create_task(running.run())
        seen = set()
        while len(seen) < 3:
            async with db.unit() as uow:
                session = await uow.session()
                seen |= set((await session.execute(select(OutboxInstance.beat_at))).scalars())
            await asyncio.sleep(0.02)
        await running.close()
        await task
    assert await _instances(db) == set()


async def _refuse_beats(db) -> None:
    """The database stops taking this process's heartbeat (reads still work)."""
    if db.engine.dialect.name == "sqlite":
        ddl = ("CREATE TRIGGER no_beats BEFORE UPDATE ON outbox_instance "
               "BEGIN SELECT RAISE(ABORT, 'no beats'); END")
    else:
        ddl = ("ALTER TABLE outbox_instance ADD CONSTRAINT no_beats "
               "CHECK (beat_at < '2000-01-01') NOT VALID")
    async with db.engine.begin() as conn:
        await conn.execute(text(ddl))


async def test_a_dispatcher_that_cannot_beat_takes_no_new_work(db, cfg, fake_slack, caplog):
    """Others take it for dead after 3 missed beats and may take over its leases."""
    quick = replace(FAST, heartbeat_seconds=0.1)
    async with dispatcher(db, cfg, fake_slack, tuning=quick, instance="mute-1") as muted:
        running = asyncio.create_task(muted.run())
        while "mute-1" not in await _instances(db):
            await asyncio.sleep(0.01)
        await _refuse_beats(db)
        await asyncio.sleep(0.5)
        assert not muted.heartbeat.fresh
        await new_alert(db, cfg)
        muted.wake()
        await asyncio.sleep(0.5)
        assert card_posts(fake_slack) == []
        assert any("taking no new work" in r.getMessage() for r in caplog.records)
        await muted.close()
        await running
