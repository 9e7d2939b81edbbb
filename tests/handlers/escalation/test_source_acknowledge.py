"""A source's acknowledge pauses escalation until the source triggers the alert again,
on an injected clock, on SQLite and PostgreSQL. Acme's policy for high alerts: after 5m
DM the on-call person, after 15m mention them in the channels, after 30m DM Raj."""

from handlers.enums import Severity, Status, Verb
from handlers.escalation.steps import tick
from handlers.intake.ingest import Effect, ingest
from handlers.intake.types import AlertIn, EventAction
from storage import audit

from .helpers import act, alert, at, events, rows

KEY = "srv-db-1-disk"
DANA = "dana@partner.example"


async def _send(db, cfg, action: EventAction, minute: float) -> Effect:
    event = AlertIn(source="events-v2", title="Disk full on db-1", severity=Severity.HIGH,
                    action=action, dedup_key=KEY)
    async with db.unit() as unit:
        return (await ingest(unit, cfg, cfg.tenant("acme"), event, at(minute))).effect


async def test_paused_from_the_acknowledge_until_the_next_trigger(db, cfg):
    assert await _send(db, cfg, EventAction.TRIGGER, 0) == Effect.CREATED
    assert await tick(db, cfg, at(5)) == 1  # level 1: the on-call person was DMed
    assert await _send(db, cfg, EventAction.ACKNOWLEDGE, 6) == Effect.ACKNOWLEDGED
    paused = await alert(db, "ACME-1")
    assert (paused.status, paused.owner_email, paused.escalation_level) == (Status.OPEN, None, 1)
    assert (paused.source_acknowledged_at, paused.next_escalation_at) == (at(6), None)
    (acked,) = await events(db, "acknowledged", "ACME-1")
    assert (acked.actor, acked.from_status, acked.to_status) == (
        "source:events-v2", "open", "open")
    notes = [r.payload.get("note") for r in await rows(db, "card")]
    assert notes[-2:] == ["events-v2 acknowledged it"] * 2  # Slack and Teams
    for minute in (15, 30, 600):
        assert await tick(db, cfg, at(minute)) == 0, minute
    assert len(await events(db, "ping")) == 1

    assert await _send(db, cfg, EventAction.TRIGGER, 700) == Effect.RETRIGGERED
    resumed = await alert(db, "ACME-1")
    # level 1 is the 15m step, 10m after the 5m one: its timer starts afresh now
    assert (resumed.source_acknowledged_at, resumed.next_escalation_at) == (None, at(710))
    assert (resumed.count, resumed.escalation_level) == (2, 1)
    (again,) = await events(db, "retriggered", "ACME-1")
    assert again.actor == "source:events-v2" and again.details == {
        "acknowledged_at": at(6).isoformat()}
    assert await tick(db, cfg, at(709.9)) == 0
    assert await tick(db, cfg, at(710)) == 1
    pings = await events(db, "ping", "ACME-1")
    assert [p.details["level"] for p in pings] == [1, 2]
    assert (await audit.verify(db)).ok


async def test_tandem_owner_and_status_stay_and_release_does_not_restart_it(db, cfg):
    await _send(db, cfg, EventAction.TRIGGER, 0)
    await act(db, cfg, Verb.CLAIM, "ACME-1", DANA, at(1))
    await _send(db, cfg, EventAction.ACKNOWLEDGE, 2)
    claimed = await alert(db, "ACME-1")
    assert (claimed.status, claimed.owner_email, claimed.source_acknowledged_at) == (
        Status.CLAIMED, DANA, at(2))
    await act(db, cfg, Verb.RELEASE, "ACME-1", DANA, at(3))
    released = await alert(db, "ACME-1")
    assert (released.status, released.next_escalation_at) == (Status.OPEN, None)
    assert await tick(db, cfg, at(60)) == 0
    await _send(db, cfg, EventAction.TRIGGER, 61)
    assert (await alert(db, "ACME-1")).next_escalation_at == at(66)


async def test_a_snoozed_alert_acknowledged_meanwhile_wakes_without_a_ping(db, cfg):
    await _send(db, cfg, EventAction.TRIGGER, 0)
    await act(db, cfg, Verb.SNOOZE, "ACME-1", DANA, at(1), duration="10m")
    await _send(db, cfg, EventAction.ACKNOWLEDGE, 2)
    assert await tick(db, cfg, at(11)) == 0  # wakes it; the wake-up arms its timer
    assert (await alert(db, "ACME-1")).status == Status.OPEN
    assert await tick(db, cfg, at(16)) == 0  # the tick reads the acknowledge and stops
    assert (await alert(db, "ACME-1")).next_escalation_at is None
    assert await events(db, "ping") == []


async def test_a_reopen_after_resolve_forgets_the_acknowledge(db, cfg):
    await _send(db, cfg, EventAction.TRIGGER, 0)
    await _send(db, cfg, EventAction.ACKNOWLEDGE, 1)
    assert await _send(db, cfg, EventAction.RESOLVE, 2) == Effect.RESOLVED
    assert await _send(db, cfg, EventAction.TRIGGER, 3) == Effect.REOPENED  # flap window
    reopened = await alert(db, "ACME-1")
    assert (reopened.status, reopened.source_acknowledged_at) == (Status.OPEN, None)
    assert reopened.next_escalation_at == at(8)
    assert await tick(db, cfg, at(8)) == 1
