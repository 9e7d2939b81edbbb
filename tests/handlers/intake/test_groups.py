"""Several events for one fingerprint in one group (one request, or requests the
committer grouped), on SQLite and PostgreSQL: later events see what earlier ones did."""

from datetime import timedelta

from sqlalchemy import select, update

from handlers.enums import Severity, Status
from handlers.intake.ingest import Effect, ingest_many
from handlers.intake.types import AlertIn, EventAction
from storage import audit
from storage.models import Alert, AuditEvent
from storage.outbox_models import Outbox
from tests.conftest import NOW


def _event(key: str, action: EventAction = EventAction.TRIGGER) -> AlertIn:
    return AlertIn(source="test", title="Disk full", severity=Severity.HIGH, dedup_key=key,
                   action=action)


async def _group(db, cfg, events: list[AlertIn], at=NOW) -> list[Effect]:
    async with db.unit() as unit:
        done = await ingest_many(unit, cfg, cfg.tenant("acme"), events, at)
    return [d.effect for d in done]


async def _stored(db, key: str) -> tuple[str, int, int]:
    async with db.read() as session:
        row = (await session.execute(
            select(Alert.status, Alert.count, Alert.version).where(Alert.fingerprint == key)
        )).one()
    return tuple(row)


async def _verbs(db) -> list[str]:
    async with db.read() as session:
        return list((await session.execute(
            select(AuditEvent.verb).where(AuditEvent.alert.is_not(None))
            .order_by(AuditEvent.seq))).scalars())


async def test_a_new_alert_fired_and_resolved_in_one_group_ends_resolved(db, cfg):
    effects = await _group(db, cfg, [_event("k1"), _event("k1"),
                                     _event("k1", EventAction.RESOLVE)])
    assert effects == [Effect.CREATED, Effect.DEDUPLICATED, Effect.RESOLVED]
    status, count, _ = await _stored(db, "k1")
    assert (status, count) == (Status.RESOLVED, 2)
    assert await _verbs(db) == ["created", "resolved"]
    assert (await audit.verify(db)).ok


async def test_repeats_then_resolve_of_a_live_alert_in_one_group(db, cfg):
    await _group(db, cfg, [_event("k2")])
    effects = await _group(db, cfg, [_event("k2"), _event("k2"),
                                     _event("k2", EventAction.ACKNOWLEDGE),
                                     _event("k2", EventAction.RESOLVE)])
    assert effects == [Effect.DEDUPLICATED, Effect.DEDUPLICATED, Effect.ACKNOWLEDGED,
                       Effect.RESOLVED]
    status, count, version = await _stored(db, "k2")
    assert (status, count) == (Status.RESOLVED, 3)
    assert version == 4  # created 1, the repeats 2, the acknowledge 3, the resolve 4
    assert await _verbs(db) == ["created", "acknowledged", "resolved"]


async def test_acknowledged_then_triggered_again_within_one_group(db, cfg):
    ack = _event("k6", EventAction.ACKNOWLEDGE)
    effects = await _group(db, cfg, [_event("k6"), ack, ack, _event("k6"), _event("k6"),
                                     ack])
    assert effects == [Effect.CREATED, Effect.ACKNOWLEDGED, Effect.ACKNOWLEDGED,
                       Effect.RETRIGGERED, Effect.DEDUPLICATED, Effect.ACKNOWLEDGED]
    stored = await _alert_row(db, "k6")
    assert stored.count == 3 and stored.status == Status.OPEN
    assert stored.source_acknowledged_at == NOW and stored.next_escalation_at is None
    # the second acknowledge changed nothing, so it is not audited
    assert await _verbs(db) == ["created", "acknowledged", "retriggered", "acknowledged"]
    assert (await audit.verify(db)).ok


async def test_reopened_repeated_and_resolved_again_in_one_group(db, cfg):
    await _group(db, cfg, [_event("k3")])
    await _group(db, cfg, [_event("k3", EventAction.RESOLVE)])
    later = NOW + timedelta(minutes=1)  # inside the flap window
    effects = await _group(db, cfg, [_event("k3"), _event("k3"),
                                     _event("k3", EventAction.RESOLVE)], at=later)
    assert effects == [Effect.REOPENED, Effect.DEDUPLICATED, Effect.RESOLVED]
    status, count, _ = await _stored(db, "k3")
    assert (status, count) == (Status.RESOLVED, 3)
    assert await _verbs(db) == ["created", "resolved", "reopened", "resolved"]
    assert (await audit.verify(db)).ok


async def _alert_row(db, key: str) -> Alert:
    async with db.read() as session:
        return (await session.execute(select(Alert).where(Alert.fingerprint == key))).scalar_one()


async def _card_lanes(db, alert_id: int) -> list[tuple[str, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Outbox.platform, Outbox.channel)
            .where(Outbox.alert_id == alert_id, Outbox.kind == "card", Outbox.done_at.is_(None)))
        return sorted(rows.all())


async def test_repeats_count_move_last_seen_forward_only_and_queue_one_refresh_a_channel(db, cfg):
    await _group(db, cfg, [_event("k4")])
    created = await _alert_row(db, "k4")
    lanes = await _card_lanes(db, created.id)
    assert lanes  # the new card, one lane per channel
    later = NOW + timedelta(minutes=5)
    effects = await _group(db, cfg, [_event("k4")] * 3, at=later)
    assert effects == [Effect.DEDUPLICATED] * 3
    earlier = NOW + timedelta(minutes=2)  # a group whose clock is behind the last one
    await _group(db, cfg, [_event("k4")], at=earlier)
    stored = await _alert_row(db, "k4")
    assert (stored.count, stored.version) == (5, 3)
    assert stored.last_seen == later and stored.first_seen == created.first_seen
    assert await _card_lanes(db, created.id) == lanes  # still one waiting refresh a lane


async def test_a_repeat_after_the_refresh_went_out_queues_another(db, cfg):
    await _group(db, cfg, [_event("k5")])
    alert = await _alert_row(db, "k5")
    lanes = await _card_lanes(db, alert.id)
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(update(Outbox).where(Outbox.alert_id == alert.id)
                              .values(done_at=NOW))
    assert await _card_lanes(db, alert.id) == []
    await _group(db, cfg, [_event("k5"), _event("k5")], at=NOW + timedelta(minutes=1))
    assert await _card_lanes(db, alert.id) == lanes
