"""Proposing binds a fix's target; approving queues its execution in the same
transaction, under the fix's own rules; retry and done-by-hand, on SQLite and PostgreSQL."""

from datetime import timedelta

from sqlalchemy import select

from handlers.commands import Command, Identity, Outcome
from handlers.enums import Severity, Verb
from handlers.lifecycle.dispatch import execute
from handlers.remediation import Step, record_step
from storage import executions
from storage.execution_models import Execution
from storage.models import Remediation
from tests.conftest import NOW, new_alert

SAM = Identity(email="sam@acme.example")  # internal responder, approver, admin
IVY = Identity(email="ivy@acme.example")  # internal approver
DANA = Identity(email="dana@partner.example")  # partner responder
RAJ = Identity(email="raj@partner.example")  # partner responder + approver
JO = "jo@acme.example"


async def act(db, cfg, verb, alert, who, **args):
    return await execute(db, cfg, Command(verb, alert, who, args), now=NOW)


async def proposed(db, cfg, fix: str, severity=Severity.LOW, **labels) -> str:
    alert = await new_alert(db, cfg, severity=severity, **labels)
    assert (await act(db, cfg, Verb.CLAIM, alert, DANA)).outcome is Outcome.DONE
    done = await act(db, cfg, Verb.PROPOSE, alert, DANA, remediation=fix)
    assert done.outcome is Outcome.DONE, done.message
    return alert


async def queued(db, alert_id: int) -> list[Execution]:
    async with db.read() as session:
        query = select(Execution).where(Execution.alert_id == alert_id).order_by(Execution.id)
        return list((await session.execute(query)).scalars())


async def test_a_fix_whose_target_the_alert_lacks_is_refused_with_a_sentence(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    refused = await act(db, cfg, Verb.PROPOSE, alert, DANA, remediation="revoke-sessions")
    assert refused.outcome is Outcome.INVALID
    assert refused.message == (f"{alert} has no `user` label; Revoke all sign-in sessions "
                               "needs one.")


async def test_the_card_shows_the_bound_target_before_approval(db, cfg):
    alert = await proposed(db, cfg, "revoke-sessions", user=JO)
    shown = (await act(db, cfg, Verb.COMMENT, alert, SAM, text="looking")).view.remediation
    assert shown.target == {"user": JO}
    assert shown.described == f"Revoke all sign-in sessions of {JO}"
    assert not shown.needs_internal_approver  # a low alert, a fix that is not destructive


async def test_approval_queues_the_execution_with_names_of_secrets_not_values(db, cfg):
    alert = await proposed(db, cfg, "restart-service")
    approved = await act(db, cfg, Verb.APPROVE, alert, RAJ, reason="go")
    assert approved.outcome is Outcome.DONE, approved.message
    [row] = await queued(db, approved.view.id)
    assert (row.kind, row.status, row.attempts, row.due_at) == ("webhook", "queued", 0, NOW)
    assert row.expires_at == NOW + timedelta(hours=1)
    assert row.options["url_env"] == "TANDEM_TEST_RUNBOOK_URL"
    assert row.options["approved_by"] == "raj@partner.example"
    assert approved.view.remediation.execution.status == "queued"


async def test_a_destructive_fix_needs_an_internal_approver_and_a_reason(db, cfg):
    alert = await proposed(db, cfg, "disable-user", user=JO)
    partner = await act(db, cfg, Verb.APPROVE, alert, RAJ, reason="stolen token")
    assert (partner.outcome, partner.message) == (
        Outcome.REFUSED, "Disable the account needs an internal approver; Raj Patel is on the "
                         "partner side.")
    silent = await act(db, cfg, Verb.APPROVE, alert, IVY)
    assert silent.outcome is Outcome.INVALID
    assert silent.message.startswith("Approving Disable the account needs a reason")
    assert await queued(db, silent.view.id if silent.view else 0) == []
    approved = await act(db, cfg, Verb.APPROVE, alert, IVY, reason="stolen token")
    assert approved.outcome is Outcome.DONE
    [row] = await queued(db, approved.view.id)
    assert (row.kind, row.target) == ("graph.disable_user", {"user": JO})


async def test_a_tenant_may_let_its_partner_approve_a_named_fix(db, cfg):
    acme = cfg.tenant("acme")
    lenient = acme.model_copy(update={"remediation": acme.remediation.model_copy(
        update={"partner_may_approve": ["disable-user"]})})
    cfg = cfg.model_copy(update={"tenants": [lenient, *cfg.tenants[1:]]})
    alert = await proposed(db, cfg, "disable-user", severity=Severity.CRITICAL, user=JO)
    approved = await act(db, cfg, Verb.APPROVE, alert, RAJ, reason="stolen token")
    assert approved.outcome is Outcome.DONE, approved.message


async def test_the_proposer_never_approves_nor_retries(db, cfg):
    alert = await new_alert(db, cfg, severity=Severity.LOW)
    await act(db, cfg, Verb.CLAIM, alert, RAJ)
    await act(db, cfg, Verb.PROPOSE, alert, RAJ, remediation="restart-service")
    own = await act(db, cfg, Verb.APPROVE, alert, RAJ)
    assert own.outcome is Outcome.REFUSED and "someone else must approve" in own.message
    await act(db, cfg, Verb.APPROVE, alert, SAM)
    await _fail(db, cfg, alert)
    again = await act(db, cfg, Verb.RETRY, alert, RAJ)
    assert again.outcome is Outcome.REFUSED and "someone else must retry" in again.message


async def _fail(db, cfg, alert: str) -> None:
    """The worker's path: lease the queued execution and record that it failed."""
    async with db.read() as session:
        newest = select(Execution).order_by(Execution.id.desc())
        row = (await session.execute(newest)).scalars().first()
    leased = await executions.lease(db, row.id, NOW, NOW + timedelta(minutes=2), "w-1",
                                    NOW - timedelta(seconds=15))
    assert leased is not None and leased.found == "queued"
    async with db.unit() as uow:
        assert await record_step(uow, cfg, row.id, "w-1", Step("failed", "it broke"), NOW)


async def test_a_failed_fix_is_retried_by_an_approver_as_a_new_execution(db, cfg):
    alert = await proposed(db, cfg, "restart-service")
    approved = await act(db, cfg, Verb.APPROVE, alert, SAM)
    early = await act(db, cfg, Verb.RETRY, alert, IVY)
    assert (early.outcome, early.message) == (
        Outcome.ILLEGAL, f"The fix for {alert} has not failed (approved); only a failed fix is "
                         "retried.")
    await _fail(db, cfg, alert)
    failed = await act(db, cfg, Verb.COMMENT, alert, SAM, text="hm")
    assert failed.view.remediation.status == "failed"
    assert failed.view.remediation.execution.detail == "it broke"
    assert (await act(db, cfg, Verb.RETRY, alert, DANA)).outcome is Outcome.REFUSED  # no role
    retried = await act(db, cfg, Verb.RETRY, alert, IVY, reason="endpoint is back")
    assert retried.outcome is Outcome.DONE, retried.message
    first, second = await queued(db, approved.view.id)
    assert (first.status, second.status) == ("failed", "queued")
    assert retried.view.remediation.status == "approved"


async def test_a_manual_fix_waits_for_done_with_a_note(db, cfg):
    alert = await proposed(db, cfg, "block-ip")
    approved = await act(db, cfg, Verb.APPROVE, alert, SAM)
    assert approved.view.remediation.manual and await queued(db, approved.view.id) == []
    bare = await act(db, cfg, Verb.DONE, alert, DANA)
    assert (bare.outcome, bare.message) == (
        Outcome.INVALID, "Marking a fix done by hand needs a note saying what was done.")
    done = await act(db, cfg, Verb.DONE, alert, DANA, note="blocked 203.0.113.9 on the edge")
    assert done.outcome is Outcome.DONE
    async with db.read() as session:
        fix = (await session.execute(select(Remediation))).scalars().one()
    assert fix.status == "done"


async def test_resolving_a_graph_alert_closes_it_at_the_source(db, cfg):
    graph = await new_alert(db, cfg, source="graph", key="da637551227677560813_-961444813")
    other = await new_alert(db, cfg)
    bad = await act(db, cfg, Verb.RESOLVE, graph, SAM, classification="maybe")
    assert bad.outcome is Outcome.INVALID and "Classification must be one of" in bad.message
    done = await act(db, cfg, Verb.RESOLVE, graph, SAM, classification="truePositive")
    assert done.outcome is Outcome.DONE
    [row] = await queued(db, done.view.id)
    assert (row.kind, row.target, row.options["classification"]) == (
        "graph.close_alert", {"alert": "da637551227677560813_-961444813"}, "truePositive")
    plain = await act(db, cfg, Verb.RESOLVE, other, SAM)
    assert await queued(db, plain.view.id) == []
