"""Silenced alerts come back when their silence ends, once, on SQLite and PostgreSQL."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from handlers.commands import Identity
from handlers.config.schema import Match, RoutingRule
from handlers.enums import Severity
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn, EventAction
from handlers.people.resolve import resolve
from handlers.silences import changes as silence_changes
from handlers.silences import ends as silence_ends
from storage import audit
from tests.handlers.escalation.helpers import alert, events, rows

FRI = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)  # a Friday; Acme's Europe/London is on GMT


def at(minutes: float) -> datetime:
    return FRI + timedelta(minutes=minutes)


def with_acme(cfg, **changes):
    """The test configuration with Acme's settings changed."""
    acme = cfg.tenant("acme").model_copy(update=changes)
    return cfg.model_copy(update={"tenants": [acme, cfg.tenant("globex")]})


async def silence(db, cfg, minutes: float = 60, *, starts: datetime = FRI, every=None,
                  who: str = "sam@acme.example", **matchers) -> int:
    actor = resolve(cfg, Identity(email=who))
    wanted = silence_changes.Wanted(cfg.tenant("acme"), matchers or {"service": "db"}, starts,
                                    starts + timedelta(minutes=minutes), "patching", every)
    async with db.unit() as uow:
        made = await silence_changes.add(uow, cfg, actor, wanted, FRI)
    assert not isinstance(made, str), made
    return made.id


async def fire(db, cfg, when: datetime, key: str | None = None, action=EventAction.TRIGGER,
               severity=Severity.HIGH, **labels) -> str:
    event = AlertIn(source="test", title="Disk full on db-1", severity=severity,
                    action=action, dedup_key=key or uuid.uuid4().hex,
                    labels=labels or {"service": "db"})
    async with db.unit() as unit:
        return (await ingest(unit, cfg, cfg.tenant("acme"), event, when)).alert


async def test_a_silenced_alert_comes_back_once_when_its_silence_ends(db, cfg):
    made = await silence(db, cfg, 60)
    short_id = await fire(db, cfg, at(1))
    quiet = await alert(db, short_id)
    assert (quiet.status, quiet.silenced_by, quiet.next_escalation_at) == ("silenced", made, None)
    assert await silence_ends.tick(db, cfg, at(59)) == 0
    assert await rows(db, "card") == []
    assert await silence_ends.tick(db, cfg, at(60)) == 1
    assert await silence_ends.tick(db, cfg, at(61)) == 0  # a second tick changes nothing
    back = await alert(db, short_id)
    assert (back.status, back.silenced_by, back.escalation_level) == ("open", None, 0)
    assert back.next_escalation_at == at(65)  # the policy's first step, 5m on, as when new
    assert [(r.platform, r.payload) for r in await rows(db, "card")] == [
        ("slack", {"note": "Silence ended"}), ("teams", {"note": "Silence ended"})]
    [ended] = await events(db, "silence.ended", short_id)
    assert (ended.actor, ended.from_status, ended.to_status, ended.details) == (
        "tandem", "silenced", "open", {"silence": made})
    assert (await audit.verify(db)).ok


async def test_replicas_ticking_together_bring_an_alert_back_once(replicas, cfg):
    await silence(replicas[0], cfg, 60)
    short_id = await fire(replicas[0], cfg, at(1))
    done = await asyncio.gather(*(silence_ends.tick(r, cfg, at(60)) for r in replicas))
    assert sum(done) == 1
    assert len(await events(replicas[0], "silence.ended", short_id)) == 1
    assert len(await rows(replicas[0], "card")) == 2


async def test_expiring_by_hand_brings_alerts_back_at_once(db, cfg):
    made = await silence(db, cfg, 120)
    first, second = await fire(db, cfg, at(1)), await fire(db, cfg, at(2))
    lee = resolve(cfg, Identity(email="lee@acme.example"))
    async with db.unit() as uow:
        done = await silence_changes.expire(uow, cfg, lee, cfg.tenant("acme"), made, at(10))
    assert done.back == 2
    assert [(await alert(db, s)).status for s in (first, second)] == ["open", "open"]
    assert len(await rows(db, "card")) == 4
    assert await silence_ends.tick(db, cfg, at(11)) == 0
    verbs = [e.verb for e in await events(db, "silence.expire")]
    assert verbs == ["silence.expire"] and len(await events(db, "silence.ended")) == 2


async def test_another_silence_still_matching_keeps_it_quiet_until_that_one_ends(db, cfg):
    short = await silence(db, cfg, 30)
    long = await silence(db, cfg, 90, severity="high")
    short_id = await fire(db, cfg, at(1))
    assert (await alert(db, short_id)).silenced_by == short
    assert await silence_ends.tick(db, cfg, at(31)) == 0
    moved = await alert(db, short_id)
    assert (moved.status, moved.silenced_by) == ("silenced", long)
    assert await silence_ends.tick(db, cfg, at(91)) == 1
    assert (await alert(db, short_id)).status == "open"


async def test_resolved_meanwhile_or_suppressed_by_a_rule_stays_as_it_is(db, cfg):
    await silence(db, cfg, 60)
    await silence(db, cfg, 60, env="staging")
    resolved = await fire(db, cfg, at(1), key="gone")
    await fire(db, cfg, at(2), key="gone", action=EventAction.RESOLVE)
    suppressed = await fire(db, cfg, at(3), env="staging")  # a routing rule suppresses it
    assert (await alert(db, suppressed)).silenced_by is None
    assert await silence_ends.tick(db, cfg, at(61)) == 0
    assert (await alert(db, resolved)).status == "resolved"
    assert (await alert(db, suppressed)).status == "silenced"
    assert await events(db, "silence.ended") == []


async def test_a_scheduled_silence_does_nothing_before_it_starts(db, cfg):
    await silence(db, cfg, 60, starts=at(30))
    early = await fire(db, cfg, at(29))
    inside = await fire(db, cfg, at(31))
    assert [(await alert(db, s)).status for s in (early, inside)] == ["open", "silenced"]
    assert await silence_ends.tick(db, cfg, at(90)) == 1
    assert (await alert(db, inside)).status == "open"


async def test_a_weekly_window_silences_only_inside_each_occurrence(db, cfg):
    # Fridays 14:00-15:00 London time, for two weeks: longer than the default 7d limit.
    weeks = with_acme(cfg, silence_max="14d")
    await silence(db, weeks, 14 * 24 * 60, starts=at(-2), every="fri 14:00-15:00")
    inside = await fire(db, cfg, at(1))
    after = await fire(db, cfg, at(60))  # 15:02: the window has closed
    assert [(await alert(db, s)).status for s in (inside, after)] == ["silenced", "open"]
    assert await silence_ends.tick(db, cfg, at(30)) == 0
    assert await silence_ends.tick(db, cfg, at(58)) == 1  # 15:00, the occurrence ended
    next_week = FRI + timedelta(days=7, minutes=28)  # 14:30 a week later
    again = await fire(db, cfg, next_week)
    assert (await alert(db, again)).status == "silenced"
    assert await silence_ends.tick(db, cfg, next_week + timedelta(minutes=31)) == 1
    assert (await alert(db, again)).status == "open"


async def test_matching_uses_the_severity_routing_settled_on(db, cfg):
    """A silence of low alerts does not silence a low event a rule raised to critical."""
    raise_db = RoutingRule(match=Match(labels={"service": "db"}), severity=Severity.CRITICAL)
    routed = with_acme(cfg, routing=[raise_db])
    await silence(db, cfg, 60, severity="low")
    loud = await fire(db, routed, at(1), severity=Severity.LOW)
    quiet = await fire(db, cfg, at(2), severity=Severity.LOW)
    assert [(await alert(db, s)).severity for s in (loud, quiet)] == ["critical", "low"]
    assert [(await alert(db, s)).status for s in (loud, quiet)] == ["open", "silenced"]


async def test_a_refire_within_the_flap_window_under_a_silence_stays_quiet(db, cfg):
    """Resolved, then a maintenance window starts, then the source fires again within
    the flap window: the alert reopens silenced, is not posted, and comes back when the
    silence ends."""
    key = "disk-db-1"
    short_id = await fire(db, cfg, at(0), key)
    await fire(db, cfg, at(1), key, action=EventAction.RESOLVE)
    cards_before = len(await rows(db, "card"))
    made = await silence(db, cfg, 30, starts=at(2))
    assert await fire(db, cfg, at(3), key) == short_id  # within Acme's 5m flap window
    quiet = await alert(db, short_id)
    assert (quiet.status, quiet.silenced_by) == ("silenced", made)
    assert len(await rows(db, "card")) == cards_before
    [reopened] = await events(db, "reopened", short_id)
    assert (reopened.to_status, reopened.details) == ("silenced", {"silence": made})
    assert await silence_ends.tick(db, cfg, at(32)) == 1
    assert (await alert(db, short_id)).status == "open"
