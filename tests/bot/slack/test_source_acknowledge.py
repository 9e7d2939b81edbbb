"""Events API v2 over HTTP: an acknowledge shows on the Slack card and pauses escalation
until the source triggers the alert again; an acknowledge of a key Tandem has no live
alert for is accepted and changes nothing. On SQLite and PostgreSQL."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from handlers.escalation.steps import tick
from storage.models import Alert, AuditEvent
from storage.outbox_models import Outbox
from tests.bot.conftest import shows
from tests.bot.intake.conftest import TOKENS
from tests.bot.outbox.bench import dispatcher

ROUTING = TOKENS["TANDEM_TEST_ACME_ROUTING"]
KEY = "srv-db-1-disk"
TRIGGER = {"routing_key": ROUTING, "event_action": "trigger", "dedup_key": KEY,
           "payload": {"summary": "Disk full on db-1", "source": "db-1", "severity": "critical"}}
ACKNOWLEDGE = {"routing_key": ROUTING, "event_action": "acknowledge", "dedup_key": KEY}
ACKNOWLEDGED = "Acknowledged at source"


async def _alert(db) -> Alert:
    async with db.read() as session:
        return (await session.execute(select(Alert).where(Alert.short_id == "ACME-1"))).scalar_one()


async def _count(db, model, *where) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model).where(*where)
        return (await session.execute(query)).scalar_one()


async def _deliver(db, cfg, fake, at: datetime | None = None) -> None:
    """Send what the outbox holds, as the dispatcher would at `at` (default: now)."""
    clock = {"clock": lambda: at} if at else {}
    async with dispatcher(db, cfg, fake, **clock) as running:
        await running.drain()


def _dms(fake) -> list[str]:
    return [m["text"] for channel, found in fake.messages.items() if channel.startswith("D")
            for m in found]


async def _enqueue(client, body: dict) -> None:
    status, answer, _ = await client.post("/v2/enqueue", body)
    assert (status, answer["status"], answer["dedup_key"]) == (202, "success", KEY)


async def test_acknowledge_shows_on_the_card_and_holds_pings_until_triggered(
        client, db, cfg, fake_slack):
    await _enqueue(client, TRIGGER)
    due = (await _alert(db)).next_escalation_at
    await _enqueue(client, ACKNOWLEDGE)
    await _deliver(db, cfg, fake_slack)
    [card] = fake_slack.card_for("C0OPS", "ACME-1")
    assert shows(card, ACKNOWLEDGED) and shows(card, "Open") and shows(card, "Unclaimed")
    assert fake_slack.thread("C0OPS", card["ts"])[-1].startswith("events-v2 acknowledged it")

    for later in (due, due + timedelta(hours=2)):
        assert await tick(db, cfg, later) == 0
        await _deliver(db, cfg, fake_slack, later)
    assert _dms(fake_slack) == []
    assert await _count(db, AuditEvent, AuditEvent.verb == "ping") == 0

    await _enqueue(client, TRIGGER)
    await _deliver(db, cfg, fake_slack)
    [card] = fake_slack.card_for("C0OPS", "ACME-1")
    assert not shows(card, ACKNOWLEDGED)
    assert fake_slack.thread("C0OPS", card["ts"])[-1].startswith("events-v2 retriggered it")
    retriggered = await _alert(db)
    resumed = retriggered.next_escalation_at  # the first step's 5m, from the trigger
    assert resumed == retriggered.last_seen + timedelta(minutes=5)
    assert await tick(db, cfg, resumed) == 1
    await _deliver(db, cfg, fake_slack, resumed)
    [dm] = _dms(fake_slack)
    assert dm.startswith("ACME-1 (critical) is unclaimed: Disk full on db-1.")


async def test_acknowledge_of_an_unknown_or_resolved_key_changes_nothing(client, db):
    await _enqueue(client, ACKNOWLEDGE)
    assert await _count(db, Alert) == 0 and await _count(db, AuditEvent) == 0
    assert await _count(db, Outbox) == 0

    await _enqueue(client, TRIGGER)
    await _enqueue(client, {**ACKNOWLEDGE, "event_action": "resolve"})
    before = await _alert(db)
    events, rows = await _count(db, AuditEvent), await _count(db, Outbox)
    await _enqueue(client, ACKNOWLEDGE)
    after = await _alert(db)
    assert (after.status, after.version, after.source_acknowledged_at) == (
        "resolved", before.version, None)
    assert (await _count(db, AuditEvent), await _count(db, Outbox)) == (events, rows)

