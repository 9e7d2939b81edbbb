"""The command API end to end through a real database, on SQLite and PostgreSQL."""

from sqlalchemy import func, select

from handlers.commands import Command, Identity, Outcome
from handlers.enums import Severity, Status, Verb
from handlers.lifecycle.dispatch import execute
from storage import audit
from storage.models import AuditEvent
from storage.outbox_models import Outbox
from tests.conftest import new_alert

SAM = Identity(email="sam@acme.example")  # internal responder, approver, admin
LEE = Identity(email="lee@acme.example")  # internal responder
IVY = Identity(email="ivy@acme.example")  # internal approver only
DANA = Identity(email="dana@partner.example")  # partner responder
RAJ = Identity(email="raj@partner.example")  # partner responder + approver
GINA = Identity(email="gina@globex.example")  # globex only


async def act(db, cfg, verb, alert, who, **args):
    return await execute(db, cfg, Command(verb, alert, who, args))


async def refusals(db, alert_id, chain=None):
    """The reasons of the refusals about `alert_id`, in `chain` (its tenant's by default)."""
    async with db.unit() as uow:
        s = await uow.session()
        rows = await s.execute(
            select(AuditEvent).where(AuditEvent.alert == alert_id, AuditEvent.verb == "refused",
                                     AuditEvent.tenant_id == (chain or _tenant(alert_id)))
        )
        return [r.details["reason"] for r in rows.scalars()]


def _tenant(alert_id: str) -> str:
    return alert_id.split("-")[0].lower()


async def test_claim_then_resolve_is_audited_and_fanned_out(db, cfg):
    alert = await new_alert(db, cfg)
    claimed = await act(db, cfg, Verb.CLAIM, alert, DANA)
    assert claimed.outcome is Outcome.DONE
    assert claimed.message == f"Dana Reyes (partner) claimed {alert}."
    assert claimed.view.owner.email == "dana@partner.example"
    assert claimed.view.status is Status.CLAIMED
    resolved = await act(db, cfg, Verb.RESOLVE, alert, DANA, note="freed space")
    assert resolved.view.status is Status.RESOLVED
    async with db.unit() as uow:
        s = await uow.session()
        verbs = (
            (
                await s.execute(
                    select(AuditEvent.verb)
                    .where(AuditEvent.alert == alert)
                    .order_by(AuditEvent.seq)
                )
            )
            .scalars()
            .all()
        )
        cards = (await s.execute(select(func.count()).select_from(Outbox))).scalar_one()
    assert verbs == ["created", "claim", "resolve"]
    assert cards == 3 * 2  # created, claimed, resolved, each to Slack and Teams
    assert (await audit.verify(db)).ok


async def test_second_claimer_learns_the_owner(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    lost = await act(db, cfg, Verb.CLAIM, alert, LEE)
    assert lost.outcome is Outcome.CONFLICT
    assert lost.message == f"{alert} is already claimed by Dana Reyes (partner)."
    assert lost.view.owner.name == "Dana Reyes"
    assert await refusals(db, alert) == [lost.message]


async def test_illegal_transition_reads_like_a_sentence(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.RESOLVE, alert, LEE)
    again = await act(db, cfg, Verb.ESCALATE, alert, LEE)
    assert again.outcome is Outcome.ILLEGAL
    assert again.message == f"{alert} is already resolved; reopen it first."
    reopened = await act(db, cfg, Verb.REOPEN, alert, LEE)
    assert reopened.view.status is Status.OPEN and reopened.view.owner is None


async def test_partner_cannot_approve_own_proposal(db, cfg):
    alert = await new_alert(db, cfg, severity=Severity.LOW)
    await act(db, cfg, Verb.CLAIM, alert, RAJ)
    proposed = await act(db, cfg, Verb.PROPOSE, alert, RAJ, remediation="restart-service")
    assert proposed.view.status is Status.REMEDIATION_PENDING
    own = await act(db, cfg, Verb.APPROVE, alert, RAJ)
    assert own.outcome is Outcome.REFUSED
    assert "You proposed this fix" in own.message
    assert own.view.status is Status.REMEDIATION_PENDING
    assert own.message in await refusals(db, alert)


async def test_partner_proposal_on_high_alert_needs_internal_approver(db, cfg):
    alert = await new_alert(db, cfg, severity=Severity.HIGH, user="jo@acme.example")
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    proposed = await act(
        db,
        cfg,
        Verb.PROPOSE,
        alert,
        DANA,
        remediation="revoke-sessions",
        note="token theft suspected",
    )
    assert proposed.view.remediation.needs_internal_approver is True
    partner = await act(db, cfg, Verb.APPROVE, alert, RAJ)
    assert partner.outcome is Outcome.REFUSED
    assert "needs an internal approver" in partner.message
    internal = await act(db, cfg, Verb.APPROVE, alert, IVY)
    assert internal.outcome is Outcome.DONE
    assert internal.view.status is Status.REMEDIATION_APPROVED
    assert internal.view.remediation.decided_by.email == "ivy@acme.example"


async def test_responder_without_approver_role_cannot_reject(db, cfg):
    alert = await new_alert(db, cfg, severity=Severity.LOW)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    await act(db, cfg, Verb.PROPOSE, alert, DANA, remediation="restart-service")
    refused = await act(db, cfg, Verb.REJECT, alert, LEE, reason="no")
    assert refused.outcome is Outcome.REFUSED
    assert refused.message == "Reject needs the approver role, which Lee Chen lacks."


async def test_other_tenant_cannot_see_or_act(db, cfg):
    alert = await new_alert(db, cfg, "acme")
    refused = await act(db, cfg, Verb.CLAIM, alert, GINA)
    assert refused.outcome is Outcome.NOT_FOUND
    assert refused.message == f"{alert} is not available to you."
    assert refused.view is None
    assert await refusals(db, alert) == []  # acme's log does not record globex's people
    assert await refusals(db, alert, audit.DEPLOYMENT) == [refused.message]


async def test_unknown_person_is_refused_and_audited(db, cfg):
    alert = await new_alert(db, cfg)
    refused = await act(db, cfg, Verb.CLAIM, alert, Identity("slack", "T9/U9"))
    assert refused.outcome is Outcome.UNKNOWN_PERSON
    assert "does not know slack:T9/U9" in refused.message
    assert await refusals(db, alert) == []
    assert len(await refusals(db, alert, audit.DEPLOYMENT)) == 1


async def test_unknown_alert_is_named(db, cfg):
    result = await act(db, cfg, Verb.CLAIM, "ACME-999", LEE)
    assert result.outcome is Outcome.NOT_FOUND
    assert result.message == "ACME-999 is not available to you."


async def test_an_alert_of_another_tenant_and_none_at_all_get_one_answer(db, cfg):
    theirs = await new_alert(db, cfg, "globex")
    elsewhere = await act(db, cfg, Verb.CLAIM, theirs, LEE)
    nowhere = await act(db, cfg, Verb.CLAIM, "GLOBEX-999", LEE)
    assert (elsewhere.outcome, nowhere.outcome) == (Outcome.NOT_FOUND, Outcome.NOT_FOUND)
    assert elsewhere.message.replace(theirs, "X") == nowhere.message.replace("GLOBEX-999", "X")
    assert (await audit.verify(db)).ok


async def test_a_repeat_leaves_the_card_clickable(db, cfg):
    alert = await new_alert(db, cfg, key="disk-db-1")
    assert await new_alert(db, cfg, key="disk-db-1") == alert  # a repeat: count 2
    claimed = await execute(db, cfg, Command(Verb.CLAIM, alert, DANA, seen_version=1))
    assert claimed.outcome is Outcome.DONE and claimed.view.count == 2
    assert (claimed.view.state_version, claimed.view.version) == (2, 3)


async def test_same_idempotency_key_changes_nothing(db, cfg):
    alert = await new_alert(db, cfg)
    cmd = Command(
        Verb.ESCALATE, alert, LEE, {"reason": "db down"}, idempotency_key="slack:1.2:U0LEE"
    )
    first = await execute(db, cfg, cmd)
    second = await execute(db, cfg, cmd)
    assert first.outcome is Outcome.DONE and first.view.escalation_level == 1
    assert second.outcome is Outcome.REPLAYED and second.view.escalation_level == 1
    async with db.unit() as uow:
        s = await uow.session()
        n = (
            await s.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.verb == "escalate")
            )
        ).scalar_one()
    assert n == 1


async def test_stale_card_click_is_answered_with_current_state(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, LEE)
    stale = await execute(db, cfg, Command(Verb.RESOLVE, alert, DANA, seen_version=1))
    assert stale.outcome is Outcome.STALE
    assert stale.view.state_version == 2 and stale.view.status is Status.CLAIMED


async def test_bad_arguments_change_nothing(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, LEE)
    bad = await act(db, cfg, Verb.PROPOSE, alert, LEE, remediation="format-disk")
    assert bad.outcome is Outcome.INVALID
    assert "Unknown fix 'format-disk'" in bad.message
    snooze = await act(db, cfg, Verb.SNOOZE, alert, LEE, duration="soon")
    assert "'soon' is not a duration" in snooze.message
    after = await act(db, cfg, Verb.COMMENT, alert, LEE, text="still claimed")
    assert after.view.status is Status.CLAIMED and after.view.version == 2


async def test_release_only_by_owner_or_admin(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    lee = await act(db, cfg, Verb.RELEASE, alert, LEE)
    assert lee.message == f"Only Dana Reyes, who owns {alert}, or an admin can release it."
    sam = await act(db, cfg, Verb.RELEASE, alert, SAM)
    assert sam.outcome is Outcome.DONE and sam.view.owner is None
    assert sam.view.status is Status.OPEN


async def test_reassign_to_person_and_to_side(db, cfg):
    alert = await new_alert(db, cfg)
    to_dana = await act(db, cfg, Verb.REASSIGN, alert, SAM, to="dana@partner.example")
    assert to_dana.view.status is Status.CLAIMED and to_dana.view.owner.name == "Dana Reyes"
    to_internal = await act(db, cfg, Verb.REASSIGN, alert, DANA, to="internal")
    assert to_internal.view.owner is None and to_internal.view.owner_side.value == "internal"
    assert to_internal.view.status is Status.OPEN
    outsider = await act(db, cfg, Verb.REASSIGN, alert, SAM, to="gina@globex.example")
    assert outsider.outcome is Outcome.INVALID
    assert outsider.message == "Gina Moss is not a responder for this tenant."


async def test_escalate_to_other_side(db, cfg):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, LEE)
    handed = await act(db, cfg, Verb.ESCALATE, alert, LEE, mode="other_side", reason="after hours")
    assert handed.view.escalation_level == 1
    assert handed.view.owner is None and handed.view.owner_side.value == "partner"
