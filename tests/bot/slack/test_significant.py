"""Flagging a significant incident (NIS2) from the card's overflow menu and its modal, and
recording its reports with /tandem, over signed HTTP to the whole program and the Slack
fake (SQLite and PostgreSQL): the card shows the next deadline and why, literally, and
the audit log holds exactly what the monthly report reads."""

import json

from cards import actions as A
from cards.format import format_time
from fakes.slack import payloads
from fakes.slack.payloads import DANA, LEE, SAM
from handlers.people.operator import Operator
from handlers.reads import show_alert
from storage import queries
from tests.bot.conftest import said, shows
from tests.conftest import new_alert

WHY = "Customer <records> & *card data* exposed <!channel> <@U0SAM>"
ZONE = "Europe/London"


def _buttons(card: dict) -> dict[str, A.ButtonPayload]:
    """The card's buttons and overflow menu options by action id, as their payloads."""
    [actions] = [b for b in card["blocks"] if b["type"] == "actions"]
    values = [o["value"] for e in actions["elements"] for o in e.get("options", [e])]
    return {p.action: p for p in map(A.ButtonPayload.decode, values)}


def _card(stack, short: str) -> dict:
    return stack.fake.card_for("C0OPS", short)[0]


def _block(card: dict, block_id: str) -> dict:
    [block] = [b for b in card["blocks"] if b.get("block_id") == block_id]
    return block


def _notes(stack, card: dict) -> list[dict]:
    return [m for m in stack.fake.messages["C0OPS"] if m.get("thread_ts") == card["ts"]]


async def _typed(stack, who, text: str) -> dict:
    count = len(stack.fake.responses)
    assert await stack.slash(who, text) == 200
    await stack.fake.wait_for(lambda: len(stack.fake.responses) > count)
    return stack.fake.responses[count]


async def _due(stack, short: str) -> str:
    view = await show_alert(stack.runtime.db, stack.runtime.cfg, Operator(), short)
    return f"{view.significant.next_stage.words} due {format_time(view.significant.next_due, ZONE)}"


async def _significant_events(stack, short: str) -> list:
    async with stack.runtime.db.read() as session:
        events = await queries.history(session, "acme", short)
    return [(e.actor, e.actor_side, e.alert, e.details) for e in events if e.verb == "significant"]


async def test_a_partner_flags_from_the_card_and_internal_staff_record_the_reports(stack):
    short = await new_alert(stack.runtime.db, stack.runtime.cfg)
    card = await stack.card(short)
    button = _buttons(card)[A.SIGNIFICANT]
    seen = len(stack.fake.views)
    assert await stack.click(DANA, short, button.version, A.SIGNIFICANT, overflow=True) == 200
    await stack.fake.wait_for(lambda: len(stack.fake.views) > seen)
    modal = stack.fake.views[-1]["view"]
    assert modal["callback_id"] == A.SIGNIFICANT
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == ["note"]
    assert shows(modal, "an early warning to the authority within 24 hours")
    body = payloads.form(payloads.view_submission(DANA, modal, {"note": WHY}))
    assert await stack.signed(body) == (200, "")

    await stack.fake.wait_for(lambda: shows(_card(stack, short), "Significant incident"))
    card = _card(stack, short)
    line = _block(card, "alert.significant")["text"]
    assert line["type"] == "plain_text"  # shown as typed: Slack parses no markup in it
    assert line["text"] == f"Significant incident (NIS2): {await _due(stack, short)}\nWhy: {WHY}"
    assert A.SIGNIFICANT not in _buttons(card)
    await stack.fake.wait_for(lambda: _notes(stack, card))
    assert said(_notes(stack, card)[0]).startswith(
        f"Dana Reyes (partner) flagged this as a significant incident (NIS2): {WHY} · ")

    reported = await _typed(stack, SAM, f"significant {short} early-warning CSIRT <ref> 114")
    assert reported["response_type"] == "in_channel"
    assert said(reported) == (f"Sam Okafor (internal) recorded the NIS2 early warning for "
                              f"{short}; {await _due(stack, short)}.")
    await stack.fake.wait_for(lambda: shows(_card(stack, short), "notification due"))
    await stack.fake.wait_for(lambda: len(_notes(stack, card)) == 2)
    assert said(_notes(stack, card)[1]).startswith(
        "Sam Okafor (internal) recorded the NIS2 early warning: CSIRT <ref> 114 · ")

    partner = await _typed(stack, DANA, f"significant {short} notification sent")
    assert partner["response_type"] == "ephemeral" and said(partner) == (
        "Only internal staff record NIS2 reports: Acme Ltd, not its partner, reports incidents "
        "to the authority, and Dana Reyes is on the partner side.")
    twice = await _typed(stack, LEE, f"significant {short} early-warning")
    assert twice["response_type"] == "ephemeral"
    assert said(twice).startswith(f"The NIS2 early warning for {short} was already recorded at ")

    assert await _significant_events(stack, short) == [
        ("dana@partner.example", "partner", short, {"stage": "flagged", "note": WHY}),
        ("sam@acme.example", "internal", short,
         {"stage": "early_warning", "note": "CSIRT <ref> 114"}),
    ]


async def test_a_report_before_the_flag_and_a_second_flag_are_refused(stack):
    short = await new_alert(stack.runtime.db, stack.runtime.cfg)
    stale = _buttons(await stack.card(short))[A.SIGNIFICANT]  # the card updates in place
    early = await _typed(stack, SAM, f"significant {short} final-report")
    assert said(early) == (f"{short} is not flagged as significant; flag it first "
                           f"(significant {short} REASON).")
    assert said(await _typed(stack, LEE, f"significant {short}")).startswith(
        "Say why it is significant.")
    flagged = await _typed(stack, LEE, f"significant {short} ransomware on the file server")
    assert flagged["response_type"] == "in_channel"
    # An old card's button opens the modal; its submission is refused, naming the flag.
    seen = len(stack.fake.views)
    assert await stack.click(SAM, short, stale.version, A.SIGNIFICANT, overflow=True) == 200
    await stack.fake.wait_for(lambda: len(stack.fake.views) > seen)
    body = payloads.form(payloads.view_submission(SAM, stack.fake.views[-1]["view"],
                                                  {"note": "again"}))
    assert await stack.signed(body) == (200, "")
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert said(stack.fake.ephemeral[-1]).startswith(
        f"{short} was already flagged as significant at ")
    assert [d["stage"] for *_, d in await _significant_events(stack, short)] == ["flagged"]
    async with stack.runtime.db.read() as session:
        refused = [e.details for e in await queries.history(session, "acme", short)
                   if e.verb == "refused"]
    assert [r["verb"] for r in refused] == ["significant", "significant"]
    assert json.dumps(refused).count("already flagged") == 1
