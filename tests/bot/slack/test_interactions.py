"""Modals, the overflow menu, /tandem and @mentions, over signed HTTP to /slack/events."""

import json

from cards import actions as A
from fakes.slack import payloads
from fakes.slack.payloads import DANA, LEE, SAM
from handlers.chat.parse import HELP
from tests.bot.conftest import said, shows
from tests.conftest import new_alert


async def _posted(stack, short_id: str) -> dict:
    card = await stack.card(short_id)
    await stack.dispatcher.drain()
    return card


async def _modal(stack, who, short_id: str, action: str) -> dict:
    seen = len(stack.fake.views)
    assert await stack.click(who, short_id, await stack.version(short_id), action) == 200
    await stack.fake.wait_for(lambda: len(stack.fake.views) > seen)
    return stack.fake.views[-1]["view"]


async def _submit(stack, who, modal: dict, values: dict) -> None:
    status, text = await stack.signed(payloads.form(payloads.view_submission(who, modal, values)))
    assert (status, text) == (200, "")  # acknowledged, the modal closes


async def test_escalate_modal_hands_the_alert_to_the_other_side(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    await _posted(stack, alert)
    await stack.click(DANA, alert, 1, A.CLAIM)
    await stack.fake.wait_for(lambda: stack.fake.calls_to("chat.update"))
    modal = await _modal(stack, DANA, alert, A.ESCALATE)
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == ["reason", "mode"]
    assert json.loads(modal["private_metadata"]) == {
        "button": A.ButtonPayload(alert, 2, A.ESCALATE).encode(), "channel": "C0OPS"}
    await _submit(stack, DANA, modal, {"reason": "needs a DBA", "mode": "other_side"})
    await stack.fake.wait_for(
        lambda: shows(stack.fake.card_for("C0OPS", alert)[0], "Unclaimed (internal side)"))
    assert shows(stack.fake.card_for("C0OPS", alert)[0], "Level 1")


async def test_snooze_and_resolve_modals(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    card = await _posted(stack, alert)
    await _submit(stack, LEE, await _modal(stack, LEE, alert, A.SNOOZE), {"duration": "4h"})
    await stack.fake.wait_for(lambda: shows(stack.fake.card_for("C0OPS", alert)[0], "Snoozed"))
    await _submit(stack, LEE, await _modal(stack, LEE, alert, A.RESOLVE), {"note": "freed"})
    await stack.fake.wait_for(lambda: shows(stack.fake.card_for("C0OPS", alert)[0], "Resolved"))
    await stack.fake.wait_for(lambda: len(stack.fake.thread("C0OPS", card["ts"])) == 2)
    assert [n.split(" · ")[0] for n in stack.fake.thread("C0OPS", card["ts"])] == [
        "Lee Chen (internal) snoozed", "Lee Chen (internal) resolved"]


async def test_a_stale_modal_submission_is_refused_with_the_current_card(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    await _posted(stack, alert)
    modal = await _modal(stack, LEE, alert, A.RESOLVE)
    await stack.click(DANA, alert, 1, A.CLAIM)
    await stack.fake.wait_for(lambda: stack.fake.calls_to("chat.update"))
    await _submit(stack, LEE, modal, {"note": "done"})
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    [stale] = stack.fake.ephemeral
    assert stale["user"] == "U0LEE" and said(stale).startswith(f"{alert} changed since")
    assert shows(stale, "Dana Reyes (partner)") and await stack.version(alert) == 2


async def test_overflow_history_is_shown_only_to_the_clicker(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    await stack.click(SAM, alert, 1, A.HISTORY, overflow=True)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    [shown] = stack.fake.ephemeral
    assert shown["user"] == "U0SAM" and said(shown).startswith(f"History of {alert}\n#1  ")


async def test_a_garbled_button_is_answered_not_crashed_on(stack):
    body = payloads.block_action(SAM, "ACME-1", 1, A.CLAIM)
    body["actions"][0]["value"] = '{"v": 9}'
    status, _ = await stack.signed(payloads.form(body))
    assert status == 200
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert said(stack.fake.ephemeral[0]) == (
        "Tandem could not read that button: button payload: unsupported payload version 9.")


async def test_tandem_slash_command(stack):
    alert = await new_alert(stack.runtime.db, stack.runtime.cfg)
    card = await _posted(stack, alert)
    for n, text in enumerate(("list", f"claim {alert}", "what is this"), 1):
        assert await stack.slash(LEE, text) == 200
        await stack.fake.wait_for(lambda n=n: len(stack.fake.responses) == n)
    listed, claimed, helped = stack.fake.responses
    assert listed["response_type"] == "ephemeral" and f"{alert} · Disk full" in said(listed)
    assert said(claimed) == f"Lee Chen (internal) claimed {alert}."
    assert claimed["response_type"] == "in_channel"
    assert said(helped) == HELP and helped["response_type"] == "ephemeral"
    await stack.fake.wait_for(lambda: stack.fake.thread("C0OPS", card["ts"]))
    assert shows(stack.fake.card_for("C0OPS", alert)[0], "Lee Chen (internal)")
    assert stack.fake.thread("C0OPS", card["ts"])[0].startswith("Lee Chen (internal) claimed")


async def test_mentioning_the_bot_runs_a_command(stack):
    await new_alert(stack.runtime.db, stack.runtime.cfg)
    event = {"type": "app_mention", "user": "U0SAM", "text": "<@U0BOT> help",
             "ts": "1790000001.000100", "channel": "C0OPS", "event_ts": "1790000001.000100"}
    status, _ = await stack.signed(payloads.event(event), "application/json")
    assert status == 200
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert stack.fake.ephemeral[0]["user"] == "U0SAM"
    assert said(stack.fake.ephemeral[0]) == HELP
