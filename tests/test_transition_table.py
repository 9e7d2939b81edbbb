"""Every (status, verb, role set, side) cell of the lifecycle and policy tables.

The expected outcomes are written out here as an independent specification: which
verbs are legal in each status and where they lead, the sentence for each illegal
one, and the policy rules in plain words. The pure functions are checked cell by
cell; a sample of cells then goes through the real command path on SQLite and
PostgreSQL, checking that every refusal is audited with its reason.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations

import pytest
from sqlalchemy import select

from handlers import lifecycle, policy
from handlers.actions import dispatch
from handlers.commands import Command, Identity, Outcome
from handlers.config import ApprovalPolicy
from handlers.enums import Role, Severity, Side, Status, Verb
from handlers.people import Actor
from handlers.service import execute
from storage import audit
from storage.models import Alert, AuditEvent
from tests.conftest import new_alert

S, V = Status, Verb
OPEN, CLAIMED, PENDING = S.OPEN, S.CLAIMED, S.REMEDIATION_PENDING
APPROVED, REJECTED = S.REMEDIATION_APPROVED, S.REMEDIATION_REJECTED
SNOOZED, SILENCED, RESOLVED = S.SNOOZED, S.SILENCED, S.RESOLVED

# ---------------------------------------------------------------------------------------
# The specification.
# ---------------------------------------------------------------------------------------

# For each status: the legal verbs and the status each leads to. Escalating and
# commenting never change the status; everything else not listed is illegal.
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
        V.RESOLVE: RESOLVED,
        V.COMMENT: PENDING,
    },
    APPROVED: {
        V.RELEASE: OPEN,
        V.REASSIGN: APPROVED,
        V.ESCALATE: APPROVED,
        V.PROPOSE: PENDING,
        V.RESOLVE: RESOLVED,
        V.COMMENT: APPROVED,
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

_DONE_WITH = "{id} is already resolved; reopen it first."
_NO_FIX = "{id} has no fix waiting for approval."
_NOT_RESOLVED = "{id} is not resolved, so there is nothing to reopen."


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
    V.RESOLVE: {RESOLVED: _DONE_WITH},
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
}

# Policy in words: deciding on a fix needs the approver role, everything else the
# responder role; the proposer never decides on their own fix; a partner's fix for a
# critical or high alert needs an internal approver; only the owner or an admin releases.
DECISIONS = (V.APPROVE, V.REJECT)
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


def test_the_spec_covers_every_cell_once():
    for status in Status:
        for verb in Verb:
            assert (verb in LEGAL[status]) != (status in ILLEGAL[verb]), (status, verb)


# ---------------------------------------------------------------------------------------
# Pure cells.
# ---------------------------------------------------------------------------------------

ROLE_SETS = [frozenset(c) for n in range(4) for c in combinations(Role, n)]
CELLS = [(s, v) for s in Status for v in Verb]


def _roles_id(roles: frozenset[Role]) -> str:
    return "+".join(r.value for r in Role if r in roles) or "no-role"


def _person(roles: frozenset[Role], side: Side, member: bool = True) -> Who:
    tenants = frozenset({TENANT}) if member else frozenset({"globex"})
    return Who("pat@example.test", "Pat Doe", side, roles, tenants)


DANA_W = Who("dana@partner.example", "Dana Reyes", Side.PARTNER, frozenset({Role.RESPONDER}))
# Each status's usual owner and proposal: a partner engineer claimed it and, where a fix
# is in play, proposed it, on a high alert (so a partner's fix needs an internal approver).
STATUS_CTX = {
    OPEN: Ctx(),
    SNOOZED: Ctx(),
    SILENCED: Ctx(),
    RESOLVED: Ctx(),
    CLAIMED: Ctx(owner=DANA_W),
    PENDING: Ctx(owner=DANA_W, proposer=DANA_W),
    APPROVED: Ctx(owner=DANA_W),
    REJECTED: Ctx(owner=DANA_W),
}


@pytest.mark.parametrize(("status", "verb"), CELLS, ids=[f"{s}-{v}" for s, v in CELLS])
def test_transition_cell(status, verb):
    expected = LEGAL[status].get(verb)
    assert lifecycle.next_status(verb, status) == expected
    if expected is None:
        assert lifecycle.refusal(verb, status, ID) == ILLEGAL[verb][status].format(id=ID)


FULL_CELLS = [(s, v, r, side) for s in Status for v in Verb for r in ROLE_SETS for side in Side]


@pytest.mark.parametrize(
    ("status", "verb", "roles", "side"),
    FULL_CELLS,
    ids=[f"{s}-{v}-{_roles_id(r)}-{side}" for s, v, r, side in FULL_CELLS],
)
def test_status_verb_role_side_cell(status, verb, roles, side):
    """Lifecycle first, then policy, as the command path asks them."""
    who, ctx = _person(roles, side), STATUS_CTX[status]
    nxt = lifecycle.next_status(verb, status)
    if nxt is None:
        got = ("illegal", lifecycle.refusal(verb, status, ID))
    else:
        reason = policy.refusal(who.actor, verb, ctx.subject, APPROVAL)
        got = ("refused", reason) if reason else ("done", nxt)
    assert got == spec(status, verb, who, ctx)


# Policy cells with the context that matters: the owner for release, the proposer and
# severity for approve/reject, tenant membership for everything.
_PARTNER_P = Who("raj@partner.example", "Raj Patel", Side.PARTNER, frozenset(Role))
_INTERNAL_P = Who("sam@acme.example", "Sam Okafor", Side.INTERNAL, frozenset(Role))


def _contexts(verb: Verb, who: Who) -> list[tuple[str, Ctx]]:
    if verb is V.RELEASE:
        return [
            ("owner-self", Ctx(owner=who)),
            ("owner-other", Ctx(owner=DANA_W)),
            ("no-owner", Ctx()),
        ]
    if verb in DECISIONS:
        return [("proposer-self", Ctx(proposer=who))] + [
            (f"{p.side}-proposer-{sev}", Ctx(proposer=p, severity=sev))
            for p in (_INTERNAL_P, _PARTNER_P)
            for sev in Severity
        ]
    return [("any", Ctx())]


POLICY_CELLS = [
    (verb, roles, side, member, name, ctx)
    for verb in Verb
    for roles in ROLE_SETS
    for side in Side
    for member in (True, False)
    for name, ctx in _contexts(verb, _person(roles, side, member))
    if member or name in ("any", "owner-other", "partner-proposer-high")
]


@pytest.mark.parametrize(
    ("verb", "roles", "side", "member", "ctx"),
    [c[:4] + c[5:] for c in POLICY_CELLS],
    ids=[
        f"{v}-{_roles_id(r)}-{s}-{'member' if m else 'outsider'}-{n}"
        for v, r, s, m, n, _ in POLICY_CELLS
    ],
)
def test_policy_cell(verb, roles, side, member, ctx):
    who = _person(roles, side, member)
    assert policy.refusal(who.actor, verb, ctx.subject, APPROVAL) == spec_policy(verb, who, ctx)


@pytest.mark.parametrize("severity", list(Severity))
@pytest.mark.parametrize("side", list(Side))
def test_needs_internal_approver(severity, side):
    expected = side is Side.PARTNER and severity in NEEDS_INTERNAL
    assert policy.needs_internal_approver(APPROVAL, severity, side) is expected
    nobody = ApprovalPolicy(internal_approver_for=[])
    assert policy.needs_internal_approver(nobody, severity, side) is False


# ---------------------------------------------------------------------------------------
# A sample through the real database: one alert per status, every verb, three people.
# ---------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Persona:
    who: Who
    identity: Identity = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "identity", Identity(email=self.who.email))


DANA = Persona(DANA_W)  # partner responder: owner and proposer of every sample alert
RAJ = Persona(
    Who(
        "raj@partner.example", "Raj Patel", Side.PARTNER, frozenset({Role.RESPONDER, Role.APPROVER})
    )
)
SAM = Persona(Who("sam@acme.example", "Sam Okafor", Side.INTERNAL, frozenset(Role)))
PERSONAS = (DANA, RAJ, SAM)

ARGS = {
    V.REASSIGN: {"to": "lee@acme.example"},
    V.ESCALATE: {"reason": "still failing"},
    V.PROPOSE: {"remediation": "restart-service", "note": "try a restart"},
    V.APPROVE: {"reason": "go"},
    V.REJECT: {"reason": "too risky"},
    V.SNOOZE: {"duration": "1h"},
    V.COMMENT: {"text": "looking at it"},
    V.RESOLVE: {"note": "fixed"},
}

# How each status is reached with real commands: Dana claims and proposes, Sam decides.
_PROPOSED = [(V.CLAIM, DANA), (V.PROPOSE, DANA)]
PATHS: dict[Status, list[tuple[Verb, Persona]]] = {
    OPEN: [],
    SILENCED: [],
    SNOOZED: [(V.SNOOZE, DANA)],
    CLAIMED: [(V.CLAIM, DANA)],
    PENDING: _PROPOSED,
    APPROVED: [*_PROPOSED, (V.APPROVE, SAM)],
    REJECTED: [*_PROPOSED, (V.REJECT, SAM)],
    RESOLVED: [(V.CLAIM, DANA), (V.RESOLVE, DANA)],
}


def _db_spec(status: Status, verb: Verb, who: Who, short_id: str) -> tuple[Outcome, object]:
    owner = DANA_W if any(v is V.CLAIM for v, _ in PATHS[status]) else None
    ctx = Ctx(owner=owner, proposer=DANA_W if status is PENDING else None, short_id=short_id)
    # A claim on someone's live alert is answered with who holds it.
    if verb is V.CLAIM and owner and status is not RESOLVED:
        if owner.email == who.email:
            return Outcome.CONFLICT, f"You already own {short_id}."
        return Outcome.CONFLICT, f"{short_id} is already claimed by {owner.name}."
    kind, value = spec(status, verb, who, ctx)
    return {"illegal": Outcome.ILLEGAL, "refused": Outcome.REFUSED, "done": Outcome.DONE}[
        kind
    ], value


async def _reach(db, cfg, status: Status) -> str:
    labels = {"env": "staging"} if status is SILENCED else {}  # a suppressing routing rule
    short_id = await new_alert(db, cfg, severity=Severity.HIGH, **labels)
    for verb, persona in PATHS[status]:
        done = await execute(
            db, cfg, Command(verb, short_id, persona.identity, ARGS.get(verb, {})), now=T0
        )
        assert done.outcome is Outcome.DONE, done.message
    return short_id


async def _alert(session, short_id) -> Alert:
    return (await session.execute(select(Alert).where(Alert.short_id == short_id))).scalar_one()


async def _events(session, short_id: str, after: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.alert == short_id, AuditEvent.seq > after)
        .order_by(AuditEvent.seq)
    )
    return list((await session.execute(query)).scalars())


class _Undo(Exception):
    """Raised to leave a unit of work by rolling it back."""


async def _try(db, cfg, short_id: str, status: Status, verb: Verb, persona: Persona) -> dict:
    """Run one cell in a unit of work that is rolled back, so the alert stays in `status`."""
    cmd = Command(verb, short_id, persona.identity, ARGS.get(verb, {}))
    seen: dict = {}
    with pytest.raises(_Undo):
        async with db.transaction() as session:
            seq = (await _events(session, short_id, 0))[-1].seq
            seen["result"] = await dispatch(session, cfg, cmd, T0)
            seen["events"] = await _events(session, short_id, seq)
            session.expunge_all()  # keep what was read; the rollback would expire it
            raise _Undo
    return seen


@pytest.mark.parametrize("status", list(Status))
async def test_status_sample_through_the_database(db, cfg, status):
    short_id = await _reach(db, cfg, status)
    async with db.transaction() as session:
        before = await _alert(session, short_id)
    assert before.status == status
    mismatches, refusals = [], []
    for verb in Verb:
        for persona in PERSONAS:
            who = persona.who
            outcome, value = _db_spec(status, verb, who, short_id)
            tried = await _try(db, cfg, short_id, status, verb, persona)
            result, events = tried["result"], tried["events"]
            got = (
                result.outcome,
                result.view.status if outcome is Outcome.DONE else result.message,
            )
            if got != (outcome, value):
                mismatches.append(f"{status}/{verb}/{who.name}: got {got}, spec {(outcome, value)}")
                continue
            [event] = events  # exactly one audit event per command, refused or done
            assert (event.actor, event.actor_side) == (who.email, who.side.value)
            assert event.from_status == status
            if outcome is Outcome.DONE:
                assert (event.verb, event.to_status) == (verb.value, value)
                assert result.message == f"{who.name} ({who.side}) {verb.past} {short_id}."
            else:
                assert event.verb == "refused"
                assert event.details == {"verb": verb.value, "reason": value}
                assert result.view.status == status and result.view.version == before.version
                if outcome not in {kind for kind, *_ in refusals}:
                    refusals.append((outcome, verb, persona, value))
    assert not mismatches, "\n".join(mismatches)
    # Refusals leave the alert alone, so one of each kind is committed for real and read back.
    for _, verb, persona, _ in refusals:
        cmd = Command(verb, short_id, persona.identity, ARGS.get(verb, {}))
        assert (await execute(db, cfg, cmd, now=T0)).outcome is not Outcome.DONE
    async with db.transaction() as session:
        after = await _alert(session, short_id)
        stored = await _events(session, short_id, 0)
    assert (after.status, after.version) == (status, before.version)
    assert [
        (e.details["verb"], e.actor, e.details["reason"]) for e in stored if e.verb == "refused"
    ] == [(v.value, p.who.email, r) for _, v, p, r in refusals]
    assert (await audit.verify(db)).ok


async def test_owner_can_wake_a_snoozed_alert_by_claiming_it(sqlite_db, cfg):
    """Snoozing keeps the owner; the owner claims it back, others learn who holds it."""
    db = sqlite_db
    short_id = await _reach(db, cfg, CLAIMED)
    snoozed = await execute(db, cfg, Command(V.SNOOZE, short_id, DANA.identity, ARGS[V.SNOOZE]))
    assert snoozed.view.status is SNOOZED and snoozed.view.owner.email == DANA_W.email
    other = await execute(db, cfg, Command(V.CLAIM, short_id, SAM.identity))
    assert (other.outcome, other.message) == (
        Outcome.CONFLICT,
        f"{short_id} is already claimed by Dana Reyes.",
    )
    woken = await execute(db, cfg, Command(V.CLAIM, short_id, DANA.identity))
    assert woken.outcome is Outcome.DONE, woken.message
    assert woken.view.status is CLAIMED and woken.view.snoozed_until is None
