"""Which channels the outbox dispatcher starts workers for, on SQLite and PostgreSQL."""

from datetime import timedelta

from sqlalchemy import insert, select

from handlers.enums import Severity
from storage import outbox as outbox_store
from storage import queries
from storage.instances import beat
from storage.outbox_models import MessageRef, Outbox
from tests.conftest import NOW, new_alert

LATER = NOW + timedelta(minutes=5)


def _row(alert_id: int | None, channel: str, kind: str = "card", due=NOW,
         platform: str = "slack") -> dict:
    return {"tenant_id": "acme", "alert_id": alert_id, "kind": kind, "platform": platform,
            "channel": channel, "payload": {}, "created_at": NOW, "due_at": due}


async def _ids(db, cfg, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        short_id = await new_alert(db, cfg)
        async with db.read() as session:
            ids.append((await queries.alert_by_short_id(session, short_id)).id)
    return ids


async def test_due_channels_match_due_work_oldest_first_leaving_out_busy_ones(db, cfg):
    first, second, third = await _ids(db, cfg, 3)
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(insert(Outbox), [
            _row(first, "C-LEASED"), _row(first, "C-LEASED", due=LATER),  # lane on lease
            _row(second, "C-LANE"), _row(third, "C-LANE"),
            _row(None, "D-DM", kind="dm"),
            _row(None, "D-LATER", kind="dm", due=LATER),
            _row(second, "C-BUSY"),
            _row(second, "19:teams", platform="teams"),
            _row(third, "C-FAILED") | {"failed_at": NOW},  # refused for good: not work
            _row(None, "D-FAILED", kind="dm") | {"failed_at": NOW},
        ])
    everything = await outbox_store.due_channels(db, ["slack"], NOW, set(), NOW)
    # the alerts' own card rows (from intake) make C0OPS the oldest work
    assert everything == [("slack", "C0OPS"), ("slack", "C-LANE"), ("slack", "D-DM"),
                          ("slack", "C-BUSY")]
    units = await outbox_store.due_work(db, ["slack"], NOW, 100, None, NOW)
    assert {(u.platform, u.channel) for u in units} == set(everything)
    busy = {("slack", "C0OPS"), ("slack", "C-BUSY")}
    assert await outbox_store.due_channels(db, ["slack"], NOW, busy, NOW) == [
        ("slack", "C-LANE"), ("slack", "D-DM")]
    both = await outbox_store.due_channels(db, ["slack", "teams"], NOW, busy, NOW)
    assert both[-1] == ("teams", "19:teams") and ("slack", "C-LANE") in both
    assert await outbox_store.due_channels(db, [], NOW, set(), NOW) == []


async def test_a_single_row_leased_by_a_dead_instance_is_claimed_a_live_ones_is_not(db):
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(insert(Outbox), [
            _row(None, "D-DEAD", kind="dm", due=LATER) | {"leased_by": "dead-1"},
            _row(None, "D-LIVE", kind="dm", due=LATER) | {"leased_by": "live-1"},
            _row(None, "D-WAIT", kind="dm", due=LATER),  # a backoff, not a lease
        ])
    await beat(db, "dead-1", NOW - timedelta(minutes=1), NOW - timedelta(days=1))
    await beat(db, "live-1", NOW, NOW - timedelta(days=1))
    alive_since = NOW - timedelta(seconds=15)
    assert await outbox_store.due_channels(db, ["slack"], NOW, set(), alive_since) == [
        ("slack", "D-DEAD")]
    units = await outbox_store.due_work(db, ["slack"], NOW, 10, None, alive_since)
    assert [u.channel for u in units] == ["D-DEAD"]
    me = outbox_store.Holder("me-1", alive_since)
    assert await outbox_store.claim_row(db, units[0], NOW, timedelta(seconds=60), me)
    async with db.read() as session:
        rows = await session.execute(select(Outbox.channel, Outbox.leased_by))
        assert dict(rows.all()) == {"D-DEAD": "me-1", "D-LIVE": "live-1", "D-WAIT": None}
    live = outbox_store.Unit("slack", "D-LIVE", "dm", row_id=units[0].row_id + 1)
    assert await outbox_store.claim_row(db, live, NOW, timedelta(seconds=60), me) is None


async def test_urgent_work_goes_first_and_a_paced_round_holds_few_new_posts(db, cfg):
    """40 low alerts queued, then a critical one: it comes first in its channel, with
    pings next; a round of a paced channel takes one new post but every update."""
    lows = [await new_alert(db, cfg, severity=Severity.LOW, key=f"low-{i}") for i in range(40)]
    critical = await new_alert(db, cfg, severity=Severity.CRITICAL, key="critical")
    async with db.read() as session:
        ids = {s: (await queries.alert_by_short_id(session, s)).id for s in [*lows, critical]}
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(insert(Outbox), [_row(None, "C0OPS", kind="text")])
        for short_id in lows[:3]:  # three of them are on the channel already: updates
            session.add(MessageRef(alert_id=ids[short_id], platform="slack", channel="C0OPS",
                                   ref="1.0", rendered_version=0))
    units = await outbox_store.due_work(db, ["slack"], NOW, 100, "C0OPS", NOW)
    assert [u.alert_id for u in units[:2]] == [ids[critical], None]  # then the ping
    assert [u.alert_id for u in units[2:]] == [ids[s] for s in lows]  # oldest first
    paced = await outbox_store.due_work(db, ["slack"], NOW, 100, "C0OPS", NOW, paced=1)
    assert [u.alert_id for u in paced] == [ids[critical], *(ids[s] for s in lows[:3])]
    every = await outbox_store.due_work(db, ["slack"], NOW, 100, "C0OPS", NOW, paced=2,
                                        edits_paced=True)
    assert [u.alert_id for u in every] == [ids[critical], None]
