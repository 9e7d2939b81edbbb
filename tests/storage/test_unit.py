"""Units of work whose session opens on demand: what they write straight to the driver
commits or rolls back with them, alone in their write group, on both engines."""

import asyncio
from datetime import timedelta

import pytest

from storage import live_alerts, queries
from tests.conftest import NOW, new_alert

LATER = NOW + timedelta(minutes=1)


async def _alert(db, short_id: str):
    async with db.read() as session:
        return await queries.alert_by_short_id(session, short_id)


async def test_a_unit_that_never_opens_a_session_commits_what_it_wrote(db, cfg):
    short_id = await new_alert(db, cfg, key="u1")
    alert = await _alert(db, short_id)
    async with db.unit() as unit:
        await live_alerts.count_repeats(unit, {alert.id: 2}, LATER)
        held = unit.held
    stored = await _alert(db, short_id)
    assert (stored.count, stored.last_seen) == (3, LATER)
    assert (held.events, held.outbox) == ({}, [])  # written with the unit, nothing left


async def test_a_session_opened_after_driver_work_sees_it_and_commits_with_it(db, cfg):
    short_id = await new_alert(db, cfg, key="u2")
    alert = await _alert(db, short_id)
    async with db.unit() as unit:
        await live_alerts.count_repeats(unit, {alert.id: 1}, LATER)
        session = await unit.session()
        same = await queries.alert_by_short_id(session, short_id)
        assert same.count == 2
        same.title = "Disk full on db-1 (renamed)"
    stored = await _alert(db, short_id)
    assert (stored.count, stored.title) == (2, "Disk full on db-1 (renamed)")


async def test_a_failing_unit_rolls_back_its_driver_writes_alone(sqlite_db, cfg):
    kept, lost = [await new_alert(sqlite_db, cfg, key=k) for k in ("u3", "u4")]
    ids = {s: (await _alert(sqlite_db, s)).id for s in (kept, lost)}

    async def unit(short_id: str, fail: bool) -> None:
        async with sqlite_db.unit() as work:
            await live_alerts.count_repeats(work, {ids[short_id]: 5}, LATER)
            if fail:
                await work.session()  # a session opened too is rolled back with it
                await asyncio.sleep(0)  # the other unit joins this write group
                raise ValueError("this unit fails")
            await asyncio.sleep(0)

    results = await asyncio.gather(unit(lost, True), unit(kept, False), return_exceptions=True)
    assert isinstance(results[0], ValueError) and results[1] is None
    assert (await _alert(sqlite_db, kept)).count == 6
    assert (await _alert(sqlite_db, lost)).count == 1


async def test_a_unit_that_fails_before_opening_a_session_leaves_nothing(db, cfg):
    short_id = await new_alert(db, cfg, key="u5")
    alert = await _alert(db, short_id)
    with pytest.raises(ValueError):
        async with db.unit() as unit:
            await live_alerts.count_repeats(unit, {alert.id: 4}, LATER)
            raise ValueError("before any session")
    async with db.unit():  # a failed unit does not wait for its group's commit
        pass
    assert (await _alert(db, short_id)).count == 1


async def test_after_commit_calls_run_once_committed_and_never_after_a_rollback(db):
    calls: list[str] = []
    async with db.unit() as unit:
        unit.after_commit(lambda: calls.append("committed"))
        await asyncio.sleep(0)
        assert calls == []
    assert calls == ["committed"]
    with pytest.raises(ValueError):
        async with db.unit() as unit:
            unit.after_commit(lambda: calls.append("rolled back"))
            raise ValueError("undone")
    assert calls == ["committed"]


async def test_a_failing_after_commit_call_does_not_undo_the_unit(db, cfg, caplog):
    def broken() -> None:
        raise RuntimeError("hook failed")

    short_id = await new_alert(db, cfg, key="u6")
    alert = await _alert(db, short_id)
    async with db.unit() as unit:
        unit.after_commit(broken)
        await live_alerts.count_repeats(unit, {alert.id: 1}, LATER)
    assert (await _alert(db, short_id)).count == 2
    assert "after a unit of work's commit failed" in caplog.text


async def test_only_a_unit_that_queued_outbox_rows_wakes_the_outbox(db, cfg):
    woken: list[set] = []
    db.wake_outbox = lambda channels: woken.append(set(channels))
    short_id = await new_alert(db, cfg, key="u7")  # a new alert's cards
    assert len(woken) == 1 and ("slack", "C0OPS") in woken[0]
    alert = await _alert(db, short_id)
    async with db.unit() as unit:  # a repeat whose card refresh is already queued
        await live_alerts.count_repeats(unit, {alert.id: 1}, LATER)
    with pytest.raises(ValueError):
        async with db.unit() as unit:
            unit.outbox([{"tenant_id": "acme", "alert_id": alert.id, "kind": "card",
                          "platform": "slack", "channel": "C0OPS", "payload": {},
                          "created_at": NOW, "due_at": NOW, "attempts": 0, "last_error": ""}])
            raise ValueError("rolled back: nothing to send")
    assert len(woken) == 1
