"""A fix waiting for approval: approvers reminded once after 30m, the fix lapses after 4h.

Dana (partner) proposes a fix for a high alert, so it needs an internal approver:
Sam (Slack and Teams) and Ivy (no chat identity) may decide; Raj, an approver on
the partner side, may not.
"""

import asyncio
from datetime import UTC, datetime

from cards import slack, teams
from cards import text as text_card
from handlers.enums import Status, Verb
from handlers.escalation import pings, reminders
from handlers.people.operator import Operator
from handlers.reads.scoped import show_alert
from storage import audit
from storage import teams as refs
from tests.conftest import new_alert

from .helpers import act, alert, at, events, rows

REMINDER = ("ACME-1 (high): Dana Reyes proposed “Restart the service” 30 min ago and it is "
            "waiting for your approval; undecided, it lapses at 18:04 GMT.")


def asked(email: str, name: str) -> dict:
    """The payload of a channel message that mentions an approver."""
    return {"text": f"{REMINDER} {name}, please decide.",
            "mention": {"email": email, "name": name, "at": len(REMINDER) + 1}}


async def propose_fix(db, cfg) -> str:
    """Dana claims a new high alert and proposes a fix at minute 2; its short id."""
    short_id = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, short_id, "dana@partner.example", at(1))
    await act(db, cfg, Verb.PROPOSE, short_id, "dana@partner.example", at(2),
              remediation="restart-service", note="clears the WAL backlog")
    return short_id


async def test_remind_once_then_expire(replicas, cfg):
    db = replicas[0]
    short_id = await propose_fix(db, cfg)
    assert await reminders.tick(db, cfg, at(31.9)) == []
    done = await asyncio.gather(*(reminders.tick(r, cfg, at(32)) for r in replicas))
    assert sorted(sum(done, [])) == ["reminded"]
    assert await reminders.tick(db, cfg, at(33)) == []
    sent = await rows(db, "dm")
    assert [(r.platform, r.channel, r.payload["text"]) for r in sent] == [
        ("slack", "dm:sam@acme.example", REMINDER)]  # Teams cannot DM Sam yet: see below
    [reminded] = await events(db, "approval.reminded")
    assert reminded.actor == "tandem"
    assert [t["to"] for t in reminded.details["to"]] == ["sam@acme.example", "ivy@acme.example"]

    view = await show_alert(db, cfg, Operator(), short_id)
    assert (view.remediation.reminded_at, view.remediation.expires_at) == (at(32), at(242))
    line = "⏰ Approvers reminded 14:34 · lapses 2026-11-20 18:04 GMT"
    assert line in text_card.render_alert(view)
    assert line in str(slack.render_alert(view)) and line in str(teams.render_alert(view))

    assert await reminders.tick(db, cfg, at(241.9)) == []
    done = await asyncio.gather(*(reminders.tick(r, cfg, at(242)) for r in replicas))
    assert sorted(sum(done, [])) == ["expired"]
    back = await alert(db, short_id)
    assert (back.status, back.owner_email) == (Status.CLAIMED, "dana@partner.example")
    [expired] = await events(db, "remediation.expired")
    assert (expired.actor, expired.from_status, expired.to_status) == (
        "tandem", "remediation_pending", "claimed")
    late = await act(db, cfg, Verb.COMMENT, short_id, "sam@acme.example", at(243), text="ok")
    assert late.view.remediation is None
    assert (await audit.verify(db)).ok


async def test_a_decision_in_time_ends_the_reminders(db, cfg):
    short_id = await propose_fix(db, cfg)
    await act(db, cfg, Verb.APPROVE, short_id, "sam@acme.example", at(10), reason="go")
    assert await reminders.tick(db, cfg, at(300)) == []
    assert (await alert(db, short_id)).status == Status.REMEDIATION_APPROVED
    assert await rows(db, "dm") == []


async def test_approvers_tandem_cannot_dm_are_mentioned_in_the_channels(db, cfg):
    await propose_fix(db, cfg)
    assert await reminders.tick(db, cfg, at(32)) == ["reminded"]
    texts = await rows(db, "text")
    assert [(r.platform, r.payload) for r in texts] == [
        ("teams", asked("sam@acme.example", "Sam Okafor")),  # Teams has no chat with him yet
        ("slack", asked("ivy@acme.example", "Ivy Stone")),  # on no chat platform at all
        ("teams", asked("ivy@acme.example", "Ivy Stone"))]
    [reminded] = await events(db, "approval.reminded")
    assert reminded.details["to"] == [
        {"to": "sam@acme.example", "via": ["slack", "teams channel"]},
        {"to": "ivy@acme.example", "via": ["channel"]}]
    [fallback] = await events(db, "ping.fallback")
    assert fallback.details == {"to": "sam@acme.example", "reason": pings.TEAMS_NO_CHAT}
    assert (fallback.actor, fallback.alert) == ("tandem", reminded.alert)
    assert (await audit.verify(db)).ok


async def test_once_an_approver_has_messaged_tandem_teams_dms_them(db, cfg):
    async with db.unit() as uow:
        session = await uow.session()
        await refs.save(session, refs.PERSON, "aad-sam", service_url="https://smba.example",
                        at=datetime.now(UTC), user_id="29:sam", email="sam@acme.example")
    await propose_fix(db, cfg)
    await reminders.tick(db, cfg, at(32))
    assert [(r.platform, r.channel) for r in await rows(db, "dm")] == [
        ("slack", "dm:sam@acme.example"), ("teams", "dm:sam@acme.example")]
    assert [r.payload["mention"]["email"] for r in await rows(db, "text")] == [
        "ivy@acme.example", "ivy@acme.example"]
    assert await events(db, "ping.fallback") == []
