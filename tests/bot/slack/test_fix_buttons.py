"""A fix's buttons in Slack, over signed HTTP to /slack/events with the executor worker
running: Retry on a failed fix, Done by hand through its modal, and Approve asking for a
reason where the fix needs one. SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from cards import actions as A
from fakes.slack import payloads
from fakes.slack.payloads import LEE, RAJ, SAM
from handlers.commands import Command, Identity, Outcome
from handlers.enums import Verb
from handlers.lifecycle import execute
from storage import queries
from storage.execution_models import Execution
from tests.bot.conftest import said, shows
from tests.conftest import new_alert

# The test tenant's Graph app registration has its secret here; unset, every Graph fix
# fails before any call, with a sentence naming the variable.
GRAPH_SECRET = "TANDEM_TEST_ACME_GRAPH_SECRET"
FAILED = (f"Fix failed: {GRAPH_SECRET} is not set on the Tandem server (the app "
          "registration's client secret)")


@pytest.fixture(autouse=True)
def no_graph_secret(monkeypatch):
    monkeypatch.delenv(GRAPH_SECRET, raising=False)


async def _proposed(stack, fix: str) -> str:
    """Raj's fix (a partner approver) for a new alert about jo@acme.example, its card
    posted."""
    db, cfg = stack.runtime.db, stack.runtime.cfg
    short = await new_alert(db, cfg, user="jo@acme.example")
    await stack.card(short)
    raj = Identity(email="raj@partner.example")
    for verb, args in ((Verb.CLAIM, {}), (Verb.PROPOSE, {"remediation": fix})):
        done = await execute(db, cfg, Command(verb, short, raj, args))
        assert done.outcome is Outcome.DONE, done.message
    return short


async def _approved(stack, fix: str) -> str:
    short = await _proposed(stack, fix)
    done = await execute(stack.runtime.db, stack.runtime.cfg, Command(
        Verb.APPROVE, short, Identity(email="sam@acme.example"), {"reason": "confirmed"}))
    assert done.outcome is Outcome.DONE, done.message
    return short


def _card(stack, short: str) -> dict:
    return stack.fake.card_for("C0OPS", short)[0]


def _buttons(card: dict) -> dict[str, A.ButtonPayload]:
    """The card's buttons (and overflow options) by action id, as their payloads."""
    [actions] = [b for b in card["blocks"] if b["type"] == "actions"]
    values = [o["value"] for e in actions["elements"] for o in e.get("options", [e])]
    return {p.action: p for p in map(A.ButtonPayload.decode, values)}


async def _until_card_shows(stack, short: str, text: str, *buttons: str) -> dict:
    """The card once it shows `text` and offers `buttons` (a render may read the fix and
    its execution either side of the worker's commit; the next one shows both as they are)."""
    def ready() -> bool:
        card = _card(stack, short)
        return shows(card, text) and set(buttons) <= set(_buttons(card))
    await stack.fake.wait_for(ready)
    return _card(stack, short)


async def _press(stack, who, card: dict, action: str) -> None:
    button = _buttons(card)[action]
    assert await stack.click(who, button.alert_id, button.version, action) == 200


async def _executions(stack, short: str) -> int:
    async with stack.runtime.db.unit() as uow:
        session = await uow.session()
        alert = await queries.alert_by_short_id(session, short)
        query = select(func.count()).select_from(Execution).where(Execution.alert_id == alert.id)
        return (await session.execute(query)).scalar_one()


async def _history(stack, short: str) -> list:
    async with stack.runtime.db.unit() as uow:
        return await queries.history(await uow.session(), "acme", short)


def _failures(stack, card: dict) -> int:
    """Thread notes saying the fix failed (one per failed execution)."""
    return sum(": failed: " in note for note in stack.fake.thread("C0OPS", card["ts"]))


async def test_a_failed_fix_is_retried_by_an_approver_and_refused_to_its_proposer(stack):
    short = await _approved(stack, "revoke-sessions")
    card = await _until_card_shows(stack, short, FAILED, A.RETRY, A.DONE)
    assert shows(card, "Fix proposed: Revoke all sign-in sessions of jo@acme.example")
    await stack.fake.wait_for(lambda: _failures(stack, card) == 1)
    await _press(stack, RAJ, card, A.RETRY)
    await stack.fake.wait_for(lambda: stack.fake.ephemeral)
    assert said(stack.fake.ephemeral[-1]) == (
        f"You proposed this fix for {short}; someone else must retry it.")
    await _press(stack, SAM, card, A.RETRY)
    await stack.fake.wait_for(lambda: _failures(stack, card) == 2)
    assert await _executions(stack, short) == 2
    retried = [e for e in await _history(stack, short) if e.verb == "retry"]
    assert [e.actor for e in retried] == ["sam@acme.example"]
    assert shows(_card(stack, short), FAILED)


async def test_done_by_hand_opens_a_modal_whose_note_ends_the_fix(stack):
    short = await _approved(stack, "revoke-sessions")
    card = await _until_card_shows(stack, short, FAILED, A.DONE)
    seen = len(stack.fake.views)
    await _press(stack, LEE, card, A.DONE)
    await stack.fake.wait_for(lambda: len(stack.fake.views) > seen)
    modal = stack.fake.views[-1]["view"]
    assert modal["callback_id"] == A.DONE
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == ["note"]
    assert shows(modal, "Fix: Revoke all sign-in sessions of jo@acme.example")
    body = payloads.form(payloads.view_submission(LEE, modal, {"note": "revoked in Entra"}))
    assert await stack.signed(body) == (200, "")
    await _until_card_shows(stack, short, "Fix done by hand")
    assert A.DONE not in _buttons(_card(stack, short))
    [done] = [e for e in await _history(stack, short) if e.verb == "done"]
    assert (done.actor, done.details["note"]) == ("lee@acme.example", "revoked in Entra")


async def test_approve_asks_for_a_reason_only_where_the_fix_needs_one(stack):
    short = await _proposed(stack, "disable-user")
    card = await _until_card_shows(stack, short, "Approving it needs a reason")
    seen = len(stack.fake.views)
    await _press(stack, SAM, card, A.APPROVE)
    await stack.fake.wait_for(lambda: len(stack.fake.views) > seen)
    modal = stack.fake.views[-1]["view"]
    assert modal["callback_id"] == A.APPROVE
    assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == ["reason"]
    body = payloads.form(payloads.view_submission(SAM, modal, {"reason": "Jo confirmed"}))
    assert await stack.signed(body) == (200, "")
    await _until_card_shows(stack, short, "Approved by Sam Okafor (internal): Jo confirmed")
    one_click = await _proposed(stack, "block-ip")
    card = await _until_card_shows(stack, one_click, "Fix proposed: Block the source IP")
    await _press(stack, SAM, card, A.APPROVE)
    await _until_card_shows(stack, one_click, "waiting for someone to do it by hand")
    assert len(stack.fake.views) == seen + 1  # no modal for it
    assert A.DONE in _buttons(_card(stack, one_click))
