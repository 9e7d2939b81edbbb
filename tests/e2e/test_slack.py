"""End to end over real HTTP: intake -> card at the fake Slack -> signed clicks -> updates."""

import asyncio

from cards import actions as A
from fakes.slack import payloads
from fakes.slack.payloads import DANA, LEE, RAJ
from storage import audit
from tests.bot.conftest import said, shows


async def test_enqueued_alert_appears_as_a_card_and_a_claim_updates_it(stack):
    status, body = await stack.enqueue("disk-db-1")
    assert status == 202 and body["status"] == "success"
    card = await stack.card("ACME-1")
    assert shows(card, "Disk full on db-1") and shows(card, "Unclaimed")
    assert card["metadata"] == {"event_type": "tandem_alert",
                                "event_payload": {"alert": "ACME-1", "version": 1}}

    assert await stack.click(DANA, "ACME-1", 1, A.CLAIM) == 200
    await stack.fake.wait_for(lambda: stack.fake.calls_to("chat.update"))
    update = stack.fake.calls_to("chat.update")[0].args
    assert update["ts"] == card["ts"] and update["channel"] == "C0OPS"
    assert shows(update, "Dana Reyes (partner)")
    await stack.fake.wait_for(lambda: stack.fake.thread("C0OPS", card["ts"]))
    [note] = stack.fake.thread("C0OPS", card["ts"])
    assert note.startswith("Dana Reyes (partner) claimed · ")
    assert len(stack.fake.cards("C0OPS")) == 1
    assert (await audit.verify(stack.runtime.db)).ok



async def test_concurrent_claims_one_wins_the_other_is_told_alone(stack):
    await stack.enqueue("disk-db-2")
    card = await stack.card("ACME-1")
    statuses = await asyncio.gather(stack.click(DANA, "ACME-1", 1, A.CLAIM),
                                    stack.click(LEE, "ACME-1", 1, A.CLAIM))
    assert statuses == [200, 200]
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    [refusal] = stack.fake.ephemeral
    loser = "U0LEE" if refusal["user"] == "U0LEE" else "U0DANA"
    winner = "Dana Reyes (partner)" if loser == "U0LEE" else "Lee Chen (internal)"
    assert refusal["channel"] == "C0OPS"
    assert said(refusal) == f"ACME-1 was just claimed by {winner}."
    assert shows(refusal, f"Owner\\n{winner}")  # the current card, naming the owner
    await stack.fake.wait_for(lambda: stack.fake.thread("C0OPS", card["ts"]))
    await stack.fake.wait_for(lambda: shows(stack.fake.card_for("C0OPS", "ACME-1")[0], winner))
    assert [n.split(" · ")[0] for n in stack.fake.thread("C0OPS", card["ts"])] == [
        f"{winner} claimed"]
    # Typed later, the claim is refused with the owner's name.
    assert await stack.slash(LEE if loser == "U0LEE" else DANA, "claim ACME-1") == 200
    await stack.fake.wait_for(lambda: stack.fake.responses)
    [typed] = stack.fake.responses
    assert said(typed) == f"ACME-1 is already claimed by {winner}."
    assert typed["response_type"] == "ephemeral"
    assert (await audit.verify(stack.runtime.db)).ok


async def test_partner_cannot_approve_their_own_proposal(stack):
    await stack.enqueue("cpu-app-1", "CPU high on app-1", "critical")
    await stack.card("ACME-1")
    await stack.click(RAJ, "ACME-1", 1, A.CLAIM)
    await stack.fake.wait_for(lambda: stack.fake.calls_to("chat.update"))
    await stack.click(RAJ, "ACME-1", 2, A.PROPOSE)
    await stack.fake.wait_for(lambda: stack.fake.views)
    modal = stack.fake.views[0]["view"]
    assert modal["callback_id"] == A.PROPOSE
    submission = payloads.view_submission(
        RAJ, modal, {"remediation": "restart-service", "note": "restart the app"})
    status, _ = await stack.signed(payloads.form(submission))
    assert status == 200
    await stack.fake.wait_for(
        lambda: shows(stack.fake.card_for("C0OPS", "ACME-1")[0], "Fix proposed: Restart"))
    version = await stack.version("ACME-1")
    await stack.click(RAJ, "ACME-1", version, A.APPROVE)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    [refusal] = stack.fake.ephemeral
    assert refusal["user"] == "U0RAJ"
    assert said(refusal) == "You proposed this fix for ACME-1; someone else must approve it."
    assert await stack.version("ACME-1") == version
    checked = await audit.verify(stack.runtime.db)
    assert checked.ok and checked.checked == 4  # created, claim, propose, refused approve


async def test_a_slack_connect_guest_acts_by_slash_command_as_their_own_account(stack):
    """A slash command names only the workspace it was typed in (Acme's), not Dana's own
    (the partner's): she is found by users.info, as her pinned partner account."""
    await stack.enqueue("disk-db-7")
    await stack.card("ACME-1")
    assert await stack.slash(DANA, "claim ACME-1") == 200
    await stack.fake.wait_for(lambda: stack.fake.responses)
    [typed] = stack.fake.responses
    assert said(typed) == "Dana Reyes (partner) claimed ACME-1."
