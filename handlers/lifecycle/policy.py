"""Who may do what. Internal IT stays in the lead: approvals follow these rules.

`refusal()` returns None when allowed, else the sentence to show (and audit).
"""

from dataclasses import dataclass

from handlers.config.fixes import Fix
from handlers.config.schema import ApprovalPolicy, TandemConfig
from handlers.enums import Role, Severity, Side, Status, Verb
from handlers.people.resolve import Actor
from handlers.views import AlertView

REQUIRED_ROLE: dict[Verb, Role] = {verb: Role.RESPONDER for verb in Verb} | {
    Verb.APPROVE: Role.APPROVER,
    Verb.REJECT: Role.APPROVER,
    Verb.RETRY: Role.APPROVER,  # carrying a fix out again is deciding it again
}
_DECISIONS = (Verb.APPROVE, Verb.REJECT, Verb.RETRY)
_ON_A_FIX = (Status.REMEDIATION_PENDING, Status.REMEDIATION_APPROVED)


@dataclass(frozen=True)
class Subject:
    """What policy needs to know about the alert being acted on."""

    short_id: str
    tenant_id: str
    tenant_name: str
    severity: Severity
    owner_email: str | None
    owner_name: str | None
    owner_side: Side | None = None
    proposer_email: str | None = None
    proposer_side: Side | None = None
    status: Status | None = None
    # Whether the fix needs an internal approver, as decided when it was proposed (None:
    # not known here, so the approval policy's severity rule is applied).
    needs_internal: bool | None = None
    fix_title: str = ""


def subject_of(view: AlertView) -> Subject:
    """The alert as policy sees it; dispatch() and per-viewer buttons both ask this."""
    pending = view.remediation if view.status in _ON_A_FIX else None
    return Subject(
        short_id=view.short_id, tenant_id=view.tenant_id, tenant_name=view.tenant_name,
        severity=view.severity, owner_email=view.owner.email if view.owner else None,
        owner_name=view.owner.name if view.owner else None,
        owner_side=view.owner_side,
        proposer_email=pending.proposed_by.email if pending else None,
        proposer_side=pending.proposer_side if pending else None,
        status=view.status,
        needs_internal=pending.needs_internal_approver if pending else None,
        fix_title=pending.title if pending else "",
    )


def needs_internal_approver(policy: ApprovalPolicy, severity: Severity, side: Side) -> bool:
    return side is Side.PARTNER and severity in policy.internal_approver_for


def needs_internal_for_fix(cfg: TandemConfig, tenant_id: str, fix: Fix, severity: Severity,
                           side: Side) -> bool:
    """Whether this fix, proposed by someone of `side`, needs an internal approver: a
    destructive kind (or an entry that says so) always does, a partner's proposal at a
    severity the approval policy names does, unless the tenant lets the partner approve
    this fix."""
    tenant = cfg.tenant(tenant_id)
    if tenant is not None and fix.id in tenant.remediation.partner_may_approve:
        return False
    return fix.needs_internal or needs_internal_approver(cfg.approval, severity, side)


def refusal(actor: Actor, verb: Verb, subject: Subject, policy: ApprovalPolicy) -> str | None:
    if subject.tenant_id not in actor.tenants:
        return f"{actor.name} is not a member of {subject.tenant_name}."
    role = REQUIRED_ROLE[verb]
    if not actor.has(role):
        return f"{verb.value.capitalize()} needs the {role.value} role, which {actor.name} lacks."
    if verb is Verb.RELEASE:
        return _release(actor, subject)
    if verb is Verb.WITHDRAW:
        return _withdraw(actor, subject)
    if verb in _DECISIONS:
        return _decision(actor, verb, subject, policy)
    return None


def _release(actor: Actor, subject: Subject) -> str | None:
    if subject.owner_email in (None, actor.email) or actor.has(Role.ADMIN):
        return None
    return f"Only {subject.owner_name}, who owns {subject.short_id}, or an admin can release it."


def _withdraw(actor: Actor, subject: Subject) -> str | None:
    if subject.proposer_email in (None, actor.email) or actor.has(Role.ADMIN):
        return None
    return f"Only whoever proposed the fix for {subject.short_id}, or an admin, can withdraw it."


def _decision(actor: Actor, verb: Verb, subject: Subject, policy: ApprovalPolicy) -> str | None:
    if subject.proposer_email == actor.email:
        return f"You proposed this fix for {subject.short_id}; someone else must {verb.value} it."
    by_severity = needs_internal_approver(policy, subject.severity,
                                          subject.proposer_side or Side.INTERNAL)
    needs = by_severity if subject.needs_internal is None else subject.needs_internal
    if not needs or actor.side is Side.INTERNAL:
        return None
    if by_severity:
        return (
            f"A partner's fix for a {subject.severity.value} alert needs an internal "
            f"approver; {actor.name} is on the partner side."
        )
    return (f"{subject.fix_title or 'This fix'} needs an internal approver; "
            f"{actor.name} is on the partner side.")
