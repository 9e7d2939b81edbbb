"""An escalation policy run step by step on an injected clock, on SQLite and PostgreSQL.

Acme's policy for critical and high: after 5m DM the on-call person, after 15m
mention them in the channels, after 30m DM Raj (the partner's duty manager);
repeated once. At T0 (Friday 14:02 GMT) Lee Chen is on call; Lee is on Slack only.
"""

from handlers.enums import Severity, Status, Verb
from handlers.escalation.steps import tick
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn, EventAction
from storage import audit
from tests.conftest import new_alert

from .helpers import act, alert, at, events, rows

LEE_DM = ("ACME-1 (high) is unclaimed: Disk full on db-1. You are on call for Acme Ltd: "
          "please claim it or hand it on.")
MENTION = ("ACME-1 (high) is unclaimed: Disk full on db-1. Lee Chen, you are on call: "
           "please claim it.")
RAJ_DM = ("ACME-1 (high) is unclaimed: Disk full on db-1. Acme Ltd's escalation policy calls "
          "on you: please find an owner.")

# (minute of the tick, steps taken, the ping's details, kind/platform/channel/text of new rows)
TIMELINE = [
    (4.99, 0, None, []),
    (5, 1, {"level": 1, "step": 1, "round": 1, "notify": "on-call",
            "to": "lee@acme.example", "via": ["slack"]},
     [("dm", "slack", "dm:lee@acme.example", LEE_DM)]),
    (14, 0, None, []),
    (15, 1, {"level": 2, "step": 2, "round": 1, "notify": "channel",
             "to": "lee@acme.example", "via": ["channel"]},
     [("text", "slack", "C0OPS", MENTION), ("text", "teams", "19:ops@thread.tacv2", MENTION)]),
    (30, 1, {"level": 3, "step": 3, "round": 1, "notify": "raj@partner.example",
             "to": "raj@partner.example", "via": ["slack"]},
     [("dm", "slack", "dm:raj@partner.example", RAJ_DM)]),
    (35, 1, {"level": 4, "step": 1, "round": 2, "notify": "on-call",
             "to": "lee@acme.example", "via": ["slack"]},
     [("dm", "slack", "dm:lee@acme.example", LEE_DM)]),
    (45, 1, {"level": 5, "step": 2, "round": 2, "notify": "channel",
             "to": "lee@acme.example", "via": ["channel"]},
     [("text", "slack", "C0OPS", MENTION), ("text", "teams", "19:ops@thread.tacv2", MENTION)]),
    (60, 1, {"level": 6, "step": 3, "round": 2, "notify": "raj@partner.example",
             "to": "raj@partner.example", "via": ["slack"]},
     [("dm", "slack", "dm:raj@partner.example", RAJ_DM)]),
    (600, 0, None, []),
]
NEXT = {4.99: 5, 5: 15, 14: 15, 15: 30, 30: 35, 35: 45, 45: 60, 60: None, 600: None}


def _row(r) -> tuple:
    return r.kind, r.platform, r.channel, r.payload["text"]


async def test_policy_runs_step_by_step_then_stops(db, cfg):
    short_id = await new_alert(db, cfg)
    assert (await alert(db, short_id)).next_escalation_at == at(5)
    seen = 0
    for minute, steps, details, new_rows in TIMELINE:
        assert await tick(db, cfg, at(minute)) == steps, minute
        pings = await events(db, "ping", short_id)
        if details:
            assert pings[-1].details == details and pings[-1].at == at(minute)
            assert (pings[-1].actor, pings[-1].from_status) == ("tandem", "open")
        sent = await rows(db, "dm", "text")
        assert [_row(r) for r in sent[seen:]] == new_rows, minute
        seen = len(sent)
        state = await alert(db, short_id)
        want = NEXT[minute]
        assert state.next_escalation_at == (at(want) if want is not None else None), minute
    assert state.escalation_level == 6
    assert len(await events(db, "ping")) == 6
    notes = [r.payload.get("note") for r in await rows(db, "card") if r.payload.get("note")]
    assert notes[:2] == ["Escalation step 1: notified lee@acme.example"] * 2  # Slack, Teams
    assert (await audit.verify(db)).ok


async def test_claim_stops_the_policy(db, cfg):
    short_id = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, short_id, "dana@partner.example", at(3))
    assert (await alert(db, short_id)).next_escalation_at is None
    assert await tick(db, cfg, at(120)) == 0
    assert await events(db, "ping") == [] and await rows(db, "dm", "text") == []


async def test_escalate_button_takes_the_waiting_step_now(db, cfg):
    short_id = await new_alert(db, cfg, severity=Severity.CRITICAL)
    done = await act(db, cfg, Verb.ESCALATE, short_id, "sam@acme.example", at(1),
                     mode="next_level", reason="db down")
    assert done.view.escalation_level == 1
    [escalated] = await events(db, "escalate", short_id)
    assert escalated.details["pinged"]["to"] == "lee@acme.example"
    assert [r.channel for r in await rows(db, "dm")] == ["dm:lee@acme.example"]
    assert (await alert(db, short_id)).next_escalation_at == at(11)  # step 2 is 10m after step 1
    assert await tick(db, cfg, at(11)) == 1
    assert (await events(db, "ping", short_id))[0].details["notify"] == "channel"


async def test_escalating_a_claimed_alert_pings_nobody(db, cfg):
    short_id = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, short_id, "lee@acme.example", at(1))
    await act(db, cfg, Verb.ESCALATE, short_id, "lee@acme.example", at(2), reason="need help")
    assert await rows(db, "dm", "text") == []
    assert (await alert(db, short_id)).next_escalation_at is None


async def test_after_an_outage_steps_resume_spaced_not_all_at_once(db, cfg):
    short_id = await new_alert(db, cfg)
    assert await tick(db, cfg, at(50)) == 1  # was due at 5m
    assert (await alert(db, short_id)).next_escalation_at == at(60)  # 10m on, not 15m after T0
    assert await tick(db, cfg, at(50)) == 0


async def test_snoozed_alerts_wake_to_their_owner_or_back_to_the_policy(db, cfg):
    mine = await new_alert(db, cfg)
    nobodys = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, mine, "dana@partner.example", at(1))
    await act(db, cfg, Verb.SNOOZE, mine, "dana@partner.example", at(2), duration="1h")
    await act(db, cfg, Verb.SNOOZE, nobodys, "dana@partner.example", at(2), duration="30m")
    assert await tick(db, cfg, at(31.9)) == 0
    assert (await alert(db, nobodys)).status == Status.SNOOZED
    assert await tick(db, cfg, at(32)) == 0
    woke = await alert(db, nobodys)
    assert (woke.status, woke.snoozed_until, woke.next_escalation_at) == (
        Status.OPEN, None, at(37))
    assert (await alert(db, mine)).status == Status.SNOOZED
    assert await tick(db, cfg, at(37)) == 1  # the woken open alert pings on its schedule
    await tick(db, cfg, at(62))
    back = await alert(db, mine)
    assert (back.status, back.owner_email, back.next_escalation_at) == (
        Status.CLAIMED, "dana@partner.example", None)
    [event] = await events(db, "woke", mine)
    assert (event.actor, event.from_status, event.to_status) == ("tandem", "snoozed", "claimed")
    assert len(await events(db, "woke")) == 2
    assert (await audit.verify(db)).ok


async def test_reopened_by_the_source_restarts_at_the_first_step(db, cfg):
    short_id = await new_alert(db, cfg, key="disk-1")
    await tick(db, cfg, at(5))
    event = AlertIn(source="test", title="Disk full on db-1", severity=Severity.HIGH,
                    dedup_key="disk-1", action=EventAction.RESOLVE)
    async with db.unit() as unit:
        await ingest(unit, cfg, cfg.tenant("acme"), event, at(6))
    assert (await alert(db, short_id)).next_escalation_at is None
    again = AlertIn(source="test", title="Disk full on db-1", severity=Severity.HIGH,
                    dedup_key="disk-1")
    async with db.unit() as unit:
        await ingest(unit, cfg, cfg.tenant("acme"), again, at(8))
    reopened = await alert(db, short_id)
    assert (reopened.escalation_level, reopened.next_escalation_at) == (0, at(13))


async def test_severities_without_a_policy_never_escalate(db, cfg):
    low = await new_alert(db, cfg, severity=Severity.LOW)
    globex = await new_alert(db, cfg, "globex", severity=Severity.CRITICAL)
    assert (await alert(db, low)).next_escalation_at is None
    assert (await alert(db, globex)).next_escalation_at is None
    assert await tick(db, cfg, at(600)) == 0


async def test_a_timer_left_on_a_reassigned_alert_is_cleared_without_a_ping(db, cfg):
    short_id = await new_alert(db, cfg)
    await act(db, cfg, Verb.REASSIGN, short_id, "sam@acme.example", at(1),
              to="dana@partner.example")
    before = await alert(db, short_id)
    assert before.next_escalation_at == at(5)  # reassigning does not stop the timer itself
    assert await tick(db, cfg, at(5)) == 0
    after = await alert(db, short_id)
    assert (after.next_escalation_at, after.version) == (None, before.version)
    assert await events(db, "ping") == []
