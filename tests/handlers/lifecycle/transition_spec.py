"""The lifecycle and policy specification the transition tests check against, written
out independently of handlers/: legal verbs per status, refusal sentences, policy rules."""

from dataclasses import dataclass

from handlers.config.schema import ApprovalPolicy
from handlers.enums import Role, Severity, Side, Status, Verb
from handlers.lifecycle import policy
from handlers.people.resolve import Actor

S, V = Status, Verb
OPEN, CLAIMED, PENDING = S.OPEN, S.CLAIMED, S.REMEDIATION_PENDING
APPROVED, REJECTED = S.REMEDIATION_APPROVED, S.REMEDIATION_REJECTED
SNOOZED, SILENCED, RESOLVED = S.SNOOZED, S.SILENCED, S.RESOLVED

# ---------------------------------------------------------------------------------------
# The specification.
# ---------------------------------------------------------------------------------------

# For each status: the legal verbs and the status each leads to. Escalating,
# commenting and flagging significant never change the status; everything else not
# listed is illegal.
LEGAL: dict[Status, dict[Verb, Status]] = {
    OPEN: {
        V.CLAIM: CLAIMED,
        V.REASSIGN: CLAIMED,
        V.ESCALATE: OPEN,
        V.RESOLVE: RESOLVED,
        V.SNOOZE: SNOOZED,
        V.COMMENT: OPEN,
    },
    CLAIMED: {
        V.RELEASE: OPEN,
        V.REASSIGN: CLAIMED,
        V.ESCALATE: CLAIMED,
        V.PROPOSE: PENDING,
        V.RESOLVE: RESOLVED,
        V.SNOOZE: SNOOZED,
        V.COMMENT: CLAIMED,
    },
    PENDING: {
        V.REASSIGN: PENDING,
        V.ESCALATE: PENDING,
        V.APPROVE: APPROVED,
        V.REJECT: REJECTED,
        V.WITHDRAW: CLAIMED,
        V.COMMENT: PENDING,
    },
    APPROVED: {
        V.RELEASE: OPEN,
        V.REASSIGN: APPROVED,
        V.ESCALATE: APPROVED,
        V.PROPOSE: PENDING,
        V.RESOLVE: RESOLVED,
        V.COMMENT: APPROVED,
        V.RETRY: APPROVED,
        V.DONE: APPROVED,
    },
    REJECTED: {
        V.RELEASE: OPEN,
        V.REASSIGN: REJECTED,
        V.ESCALATE: REJECTED,
        V.PROPOSE: PENDING,
        V.RESOLVE: RESOLVED,
        V.COMMENT: REJECTED,
    },
    SNOOZED: {
        V.CLAIM: CLAIMED,
        V.REASSIGN: CLAIMED,
        V.ESCALATE: SNOOZED,
        V.RESOLVE: RESOLVED,
        V.COMMENT: SNOOZED,
    },
    SILENCED: {
        V.CLAIM: CLAIMED,
        V.REASSIGN: CLAIMED,
        V.ESCALATE: SILENCED,
        V.RESOLVE: RESOLVED,
        V.COMMENT: SILENCED,
    },
    RESOLVED: {V.REOPEN: OPEN, V.COMMENT: RESOLVED},
}
# A significant incident (NIS2) is flagged, and its reports recorded, in any status:
# incidents are often recognised only after they were resolved.
for _status, _legal in LEGAL.items():
    _legal[V.SIGNIFICANT] = _status

_DONE_WITH = "{id} is already resolved; reopen it first."
_NO_FIX = "{id} has no fix waiting for approval."
_NOT_RESOLVED = "{id} is not resolved, so there is nothing to reopen."
_NONE_TO_WITHDRAW = "{id} has no fix waiting for approval, so there is none to withdraw."


def _not_possible(verb: str, words: str) -> str:
    return f"{verb} is not possible: {{id}} is {words}."


# The sentence a person reads for each illegal cell.
ILLEGAL: dict[Verb, dict[Status, str]] = {
    V.CLAIM: {
        CLAIMED: "{id} is already claimed.",
        PENDING: _not_possible("Claim", "waiting for a fix to be approved"),
        APPROVED: _not_possible("Claim", "carrying an approved fix"),
        REJECTED: _not_possible("Claim", "carrying a rejected fix"),
        RESOLVED: _DONE_WITH,
    },
    V.RELEASE: {
        OPEN: "{id} is not claimed, so there is nothing to release.",
        PENDING: "{id} has a fix waiting for approval; approve or reject it before releasing.",
        SNOOZED: _not_possible("Release", "snoozed"),
        SILENCED: _not_possible("Release", "silenced"),
        RESOLVED: _DONE_WITH,
    },
    V.REASSIGN: {RESOLVED: _DONE_WITH},
    V.ESCALATE: {RESOLVED: _DONE_WITH},
    V.PROPOSE: {
        OPEN: "{id} is not claimed yet; claim it before proposing a fix.",
        PENDING: "{id} already has a fix waiting for approval.",
        SNOOZED: "{id} is snoozed; claim it before proposing a fix.",
        SILENCED: "{id} is silenced; claim it before proposing a fix.",
        RESOLVED: _DONE_WITH,
    },
    V.APPROVE: {
        OPEN: _NO_FIX,
        CLAIMED: _NO_FIX,
        APPROVED: _NO_FIX,
        REJECTED: _NO_FIX,
        SNOOZED: _NO_FIX,
        SILENCED: _NO_FIX,
        RESOLVED: _DONE_WITH,
    },
    V.REJECT: {
        OPEN: _NO_FIX,
        CLAIMED: _NO_FIX,
        APPROVED: _NO_FIX,
        REJECTED: _NO_FIX,
        SNOOZED: _NO_FIX,
        SILENCED: _NO_FIX,
        RESOLVED: _DONE_WITH,
    },
    V.WITHDRAW: {
        OPEN: _NONE_TO_WITHDRAW,
        CLAIMED: _NONE_TO_WITHDRAW,
        APPROVED: _NONE_TO_WITHDRAW,
        REJECTED: _NONE_TO_WITHDRAW,
        SNOOZED: _NONE_TO_WITHDRAW,
        SILENCED: _NONE_TO_WITHDRAW,
        RESOLVED: _DONE_WITH,
    },
    V.RESOLVE: {
        PENDING: "{id} has a fix waiting for approval; approve, reject or withdraw it before "
        "resolving.",
        RESOLVED: _DONE_WITH,
    },
    V.REOPEN: {
        OPEN: _NOT_RESOLVED,
        CLAIMED: _NOT_RESOLVED,
        PENDING: _NOT_RESOLVED,
        APPROVED: _NOT_RESOLVED,
        REJECTED: _NOT_RESOLVED,
        SNOOZED: _NOT_RESOLVED,
        SILENCED: _NOT_RESOLVED,
    },
    V.SNOOZE: {
        PENDING: _not_possible("Snooze", "waiting for a fix to be approved"),
        APPROVED: _not_possible("Snooze", "carrying an approved fix"),
        REJECTED: _not_possible("Snooze", "carrying a rejected fix"),
        SNOOZED: "{id} is already snoozed.",
        SILENCED: _not_possible("Snooze", "silenced"),
        RESOLVED: _DONE_WITH,
    },
    V.COMMENT: {},
    V.SIGNIFICANT: {},
    V.RETRY: {status: "{id} has no approved fix to retry." for status in (
        OPEN, CLAIMED, PENDING, REJECTED, SNOOZED, SILENCED)} | {RESOLVED: _DONE_WITH},
    V.DONE: {status: "{id} has no approved fix to mark done." for status in (
        OPEN, CLAIMED, PENDING, REJECTED, SNOOZED, SILENCED)} | {RESOLVED: _DONE_WITH},
}

# Policy in words: deciding on a fix needs the approver role, everything else the
# responder role; the proposer never decides on their own fix; a partner's fix for a
# critical or high alert needs an internal approver; only the owner or an admin releases;
# only the proposer or an admin withdraws a fix. Retrying a failed fix decides it again.
DECISIONS = (V.APPROVE, V.REJECT, V.RETRY)
NEEDS_INTERNAL = (Severity.CRITICAL, Severity.HIGH)  # the approval policy used below
APPROVAL = ApprovalPolicy(internal_approver_for=list(NEEDS_INTERNAL))
TENANT, TENANT_NAME, ID = "acme", "Acme Ltd", "ACME-7"


@dataclass(frozen=True)
class Who:
    email: str
    name: str
    side: Side
    roles: frozenset[Role]
    tenants: frozenset[str] = frozenset({TENANT})

    @property
    def actor(self) -> Actor:
        return Actor(self.email, self.name, self.side, self.roles, self.tenants)


@dataclass(frozen=True)
class Ctx:
    """What policy knows about the alert: its owner and pending proposal."""

    owner: Who | None = None
    proposer: Who | None = None
    severity: Severity = Severity.HIGH
    short_id: str = ID

    @property
    def subject(self) -> policy.Subject:
        return policy.Subject(
            short_id=self.short_id,
            tenant_id=TENANT,
            tenant_name=TENANT_NAME,
            severity=self.severity,
            owner_email=self.owner.email if self.owner else None,
            owner_name=self.owner.name if self.owner else None,
            proposer_email=self.proposer.email if self.proposer else None,
            proposer_side=self.proposer.side if self.proposer else None,
        )


def spec_policy(verb: Verb, who: Who, ctx: Ctx) -> str | None:
    """The refusal the policy spec demands, or None when the person may act."""
    if TENANT not in who.tenants:
        return f"{who.name} is not a member of {TENANT_NAME}."
    role = Role.APPROVER if verb in DECISIONS else Role.RESPONDER
    if role not in who.roles:
        return f"{verb.value.capitalize()} needs the {role.value} role, which {who.name} lacks."
    owner = ctx.owner
    if verb is V.RELEASE and owner and owner.email != who.email and Role.ADMIN not in who.roles:
        return f"Only {owner.name}, who owns {ctx.short_id}, or an admin can release it."
    if verb is V.WITHDRAW and ctx.proposer and ctx.proposer.email != who.email and (
            Role.ADMIN not in who.roles):
        return f"Only whoever proposed the fix for {ctx.short_id}, or an admin, can withdraw it."
    if verb in DECISIONS and ctx.proposer:
        if ctx.proposer.email == who.email:
            return f"You proposed this fix for {ctx.short_id}; someone else must {verb.value} it."
        if (
            ctx.proposer.side is Side.PARTNER
            and ctx.severity in NEEDS_INTERNAL
            and who.side is Side.PARTNER
        ):
            return (
                f"A partner's fix for a {ctx.severity.value} alert needs an internal "
                f"approver; {who.name} is on the partner side."
            )
    return None


def spec(status: Status, verb: Verb, who: Who, ctx: Ctx) -> tuple[str, str | Status]:
    """('illegal' | 'refused', sentence) or ('done', the new status); lifecycle first."""
    if verb not in LEGAL[status]:
        return "illegal", ILLEGAL[verb][status].format(id=ctx.short_id)
    reason = spec_policy(verb, who, ctx)
    return ("refused", reason) if reason else ("done", LEGAL[status][verb])


DANA_W = Who("dana@partner.example", "Dana Reyes", Side.PARTNER, frozenset({Role.RESPONDER}))
