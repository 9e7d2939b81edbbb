"""The tick's set-based statements: the fenced timer UPDATE and the outbox INSERT.

Both bind a whole batch as one JSON document; these tests pin that what they store is
exactly what the ORM would (times compare equal in SQL, JSON reads back the same) and
that the fence moves only timers still at the generation that was read.
"""

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import select

from handlers.escalation.steps import fence, plan
from storage.escalation import READ
from storage.models import Alert
from storage.outbox_models import Outbox
from tests.conftest import new_alert

from .helpers import alert, at


async def _plans(session, cfg, short_ids: list[str], now: datetime) -> list:
    query = select(*(Alert.__table__.c[name] for name in READ)).where(
        Alert.short_id.in_(short_ids)).order_by(Alert.id)
    return [plan(cfg, row, now) for row in (await session.execute(query)).all()]


def _stale(p):
    """The plan as a tick that read the alert one generation ago would have made it."""
    was = dict(p.alert._mapping)
    was["escalation_generation"] -= 1
    return replace(p, alert=SimpleNamespace(**was))


async def test_fence_moves_only_timers_still_at_the_generation_read(db, cfg):
    ids = [await new_alert(db, cfg) for _ in range(3)]
    before = [await alert(db, short_id) for short_id in ids]
    async with db.unit() as uow:
        session = await uow.session()
        stepped, stale, cleared = await _plans(session, cfg, ids, at(5))
        cleared = replace(cleared, step=None, level=0, due=None)
        moved = await fence(session, [stepped, _stale(stale), cleared])
    assert moved == {before[0].id, before[2].id}
    after = [await alert(db, short_id) for short_id in ids]
    assert (after[0].escalation_level, after[0].next_escalation_at) == (1, at(15))
    assert after[0].version == before[0].version + 1  # the card shows the new level
    assert (after[1].escalation_generation, after[1].next_escalation_at) == (
        before[1].escalation_generation, at(5))
    assert (after[2].next_escalation_at, after[2].version) == (None, before[2].version)
    assert [a.escalation_generation - b.escalation_generation
            for a, b in zip(after, before, strict=True)] == [1, 0, 1]
    async with db.unit() as uow:  # stored exactly as a bound time compares
        session = await uow.session()
        found = await session.execute(select(Alert.id).where(Alert.next_escalation_at == at(15)))
        assert found.scalars().all() == [before[0].id]


async def test_outbox_rows_go_in_as_given_and_in_order(db, cfg):
    short_id = await new_alert(db, cfg)
    owner = await alert(db, short_id)
    when = datetime(2026, 11, 20, 14, 7, 30, 123456, tzinfo=UTC)
    payloads = [{"email": "lee@acme.example", "text": "Zoë's disk — 100 % full 🔥"},
                {"note": None, "nested": {"list": [1, 2.5, True]}}, {}, "a JSON string"]
    rows = [{"tenant_id": "acme", "alert_id": owner.id if i < 2 else None, "kind": f"k{i}",
             "platform": "slack", "channel": "#opérations-🚨", "payload": payload,
             "created_at": when, "due_at": at(i), "attempts": 0, "last_error": ""}
            for i, payload in enumerate(payloads)]
    async with db.unit() as uow:
        session = await uow.session()
        known = set((await session.execute(select(Outbox.id))).scalars())
        uow.outbox(rows)
    async with db.unit() as uow:
        session = await uow.session()
        stored = [r for r in (await session.execute(select(Outbox).order_by(Outbox.id)))
                  .scalars() if r.id not in known]
        exact = await session.execute(select(Outbox.kind).where(Outbox.created_at == when)
                                      .order_by(Outbox.id))
        assert exact.scalars().all() == ["k0", "k1", "k2", "k3"]
    assert [(r.kind, r.alert_id, r.channel, r.payload, r.due_at) for r in stored] == [
        (row["kind"], row["alert_id"], row["channel"], row["payload"], row["due_at"])
        for row in rows]
