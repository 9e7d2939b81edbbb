"""A fix waiting for approval: approvers reminded once after 30m, the fix lapses after 4h.

Dana (partner) proposes a fix for a high alert, so it needs an internal approver:
Sam (Slack and Teams) and Ivy (no chat identity) may decide; Raj, an approver on
the partner side, may not.
"""

import asyncio

from cards import slack, teams
from cards import text as text_card
from handlers import approval_reminders
from handlers.enums import Status, Verb
from handlers.operator import Operator
from handlers.reads import show_alert
from storage import audit
from tests.conftest import new_alert

from .helpers import act, alert, at, events, rows

REMINDER = ("ACME-1 (high): Dana Reyes proposed “Restart the service” 30 min ago and it is "
            "waiting for your approval; undecided, it lapses at 18:04 GMT.")


async def _proposed(db, cfg) -> str:
    short_id = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, short_id, "dana@partner.example", at(1))
    await act(db, cfg, Verb.PROPOSE, short_id, "dana@partner.example", at(2),
              remediation="restart-service", note="clears the WAL backlog")
    return short_id


async def test_remind_once_then_expire(replicas, cfg):
    db = replicas[0]
    short_id = await _proposed(db, cfg)
    assert await approval_reminders.tick(db, cfg, at(31.9)) == []
    done = await asyncio.gather(*(approval_reminders.tick(r, cfg, at(32)) for r in replicas))
    assert sorted(sum(done, [])) == ["reminded"]
    assert await approval_reminders.tick(db, cfg, at(33)) == []
    sent = await rows(db, "dm")
    assert [(r.platform, r.channel, r.payload["text"]) for r in sent] == [
        ("slack", "dm:sam@acme.example", REMINDER), ("teams", "dm:sam@acme.example", REMINDER)]
    [reminded] = await events(db, "approval.reminded")
    assert reminded.actor == "tandem"
    assert [t["to"] for t in reminded.details["to"]] == ["sam@acme.example", "ivy@acme.example"]

    view = await show_alert(db, cfg, Operator(), short_id)
    assert (view.remediation.reminded_at, view.remediation.expires_at) == (at(32), at(242))
    line = "⏰ Approvers reminded 14:34 · lapses 2026-11-20 18:04 GMT"
    assert line in text_card.render_alert(view)
    assert line in str(slack.render_alert(view)) and line in str(teams.render_alert(view))

    assert await approval_reminders.tick(db, cfg, at(241.9)) == []
    done = await asyncio.gather(*(approval_reminders.tick(r, cfg, at(242)) for r in replicas))
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
    short_id = await _proposed(db, cfg)
    await act(db, cfg, Verb.APPROVE, short_id, "sam@acme.example", at(10), reason="go")
    assert await approval_reminders.tick(db, cfg, at(300)) == []
    assert (await alert(db, short_id)).status == Status.REMEDIATION_APPROVED
    assert await rows(db, "dm") == []
