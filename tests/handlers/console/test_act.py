"""The console's buttons and forms run chat's Command: the same policy, refusals, audit
and idempotency, and the forms' checks chat's platforms make. SQLite and PostgreSQL."""

from handlers.commands import Outcome
from handlers.console import act
from handlers.enums import Severity, Status, Verb
from handlers.people.refusals import unavailable
from storage.audit import DEPLOYMENT
from tests.handlers.console.helpers import DANA, GINA, RAJ, SAM, alert, refusals, run


async def test_a_partner_approving_their_own_fix_is_refused_as_in_chat(db, cfg):
    short = await alert(db, cfg, severity=Severity.CRITICAL)
    await act(db, cfg, RAJ, short, Verb.CLAIM)
    proposed = await act(db, cfg, RAJ, short, "propose", {"remediation": "restart-service",
                                                         "note": " please "})
    assert proposed.outcome is Outcome.DONE
    assert proposed.view.remediation.note == "please"
    own = await act(db, cfg, RAJ, short, "approve", {}, proposed.view.state_version, "k1")
    said = f"You proposed this fix for {short}; someone else must approve it."
    assert (own.outcome, own.message) == (Outcome.REFUSED, said)
    assert await refusals(db, "acme") == [said]
    approved = await act(db, cfg, SAM, short, "approve", {}, proposed.view.state_version, "k1")
    assert approved.outcome is Outcome.DONE
    assert approved.view.status is Status.REMEDIATION_APPROVED


async def test_another_tenants_alert_is_not_found_as_in_chat(db, cfg):
    short = await alert(db, cfg, "acme")
    refused = await act(db, cfg, GINA, short, Verb.CLAIM)
    assert (refused.outcome, refused.message) == (Outcome.NOT_FOUND, unavailable(short))
    assert await refusals(db, DEPLOYMENT) == [unavailable(short)]
    assert (await run(db, cfg, Verb.CLAIM, short, SAM)).outcome is Outcome.DONE  # untouched


async def test_required_fields_and_long_inputs_are_refused_before_anything_runs(db, cfg):
    short = await alert(db, cfg)
    form = {"reason": "Reason", "mode": "Escalate to"}
    missing = await act(db, cfg, SAM, short, Verb.ESCALATE, {"reason": "  ", "mode": "next_level"},
                        required=form)
    assert (missing.outcome, missing.message) == (Outcome.INVALID, "Reason is required.")
    no_mode = await act(db, cfg, SAM, short, Verb.ESCALATE, {"reason": "x"}, required=form)
    assert no_mode.message == "Escalate to is required."
    long = await act(db, cfg, SAM, short, Verb.ESCALATE, {"reason": "x" * 3001, "mode": "x"},
                     required=form)
    assert long.message == "Reason is longer than 3000 characters."
    longer = await act(db, cfg, SAM, short, Verb.COMMENT, {"text": "x" * 3001})
    assert longer.message == "Text is longer than 3000 characters."
    unknown = await act(db, cfg, SAM, short, "alert.explode")
    assert unknown.message == "Tandem has no action 'alert.explode'."
    assert await refusals(db, "acme") == []  # as a chat form that never reached Tandem
    escalated = await act(db, cfg, SAM, short, Verb.ESCALATE,
                          {"reason": "stuck", "mode": "next_level"}, required=form)
    assert escalated.outcome is Outcome.DONE and escalated.view.escalation_level == 1


async def test_the_domains_checks_answer_as_in_chat(db, cfg):
    """What a form leaves to Tandem (a fix's reason, a snooze's length) is checked by the
    command: the same sentences chat gets."""
    short = await alert(db, cfg, severity=Severity.LOW, user="jo@acme.example")
    await act(db, cfg, DANA, short, Verb.CLAIM)
    await act(db, cfg, DANA, short, Verb.PROPOSE, {"remediation": "disable-user"})
    no_reason = await act(db, cfg, SAM, short, Verb.APPROVE)
    assert no_reason.outcome is Outcome.INVALID
    assert no_reason.message.startswith("Approving Disable the account needs a reason")


async def test_a_submission_runs_once_and_a_stale_page_is_told(db, cfg):
    short = await alert(db, cfg)
    first = await act(db, cfg, SAM, short, Verb.CLAIM, seen_version=1, idempotency_key="tab-1")
    again = await act(db, cfg, SAM, short, Verb.CLAIM, seen_version=1, idempotency_key="tab-1")
    assert (first.outcome, again.outcome) == (Outcome.DONE, Outcome.REPLAYED)
    # Another person's submission with the same key is theirs, not a replay.
    stale = await act(db, cfg, DANA, short, Verb.RELEASE, seen_version=1, idempotency_key="tab-1")
    assert stale.outcome is Outcome.STALE
    assert stale.message == f"{short} changed since this card was shown; here it is now."
    assert stale.view.owner.email == "sam@acme.example"
