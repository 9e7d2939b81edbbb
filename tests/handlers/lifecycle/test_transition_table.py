"""Every (status, verb, role set, side) cell of the lifecycle and policy tables, checked
against the independent specification in tests/handlers/lifecycle/transition_spec.py."""

from itertools import combinations

import pytest

from handlers.config.schema import ApprovalPolicy
from handlers.enums import Role, Severity, Side, Status, Verb
from handlers.lifecycle import policy, transitions
from tests.handlers.lifecycle.transition_spec import (
    APPROVAL,
    APPROVED,
    CLAIMED,
    DANA_W,
    DECISIONS,
    ID,
    ILLEGAL,
    LEGAL,
    NEEDS_INTERNAL,
    OPEN,
    PENDING,
    REJECTED,
    RESOLVED,
    SILENCED,
    SNOOZED,
    TENANT,
    Ctx,
    V,
    Who,
    spec,
    spec_policy,
)


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
    assert transitions.next_status(verb, status) == expected
    if expected is None:
        assert transitions.refusal(verb, status, ID) == ILLEGAL[verb][status].format(id=ID)


@pytest.mark.parametrize("status", list(Status))
def test_legal_verbs(status):
    assert transitions.legal_verbs(status) == set(LEGAL[status])


FULL_CELLS = [(s, v, r, side) for s in Status for v in Verb for r in ROLE_SETS for side in Side]


@pytest.mark.parametrize(
    ("status", "verb", "roles", "side"),
    FULL_CELLS,
    ids=[f"{s}-{v}-{_roles_id(r)}-{side}" for s, v, r, side in FULL_CELLS],
)
def test_status_verb_role_side_cell(status, verb, roles, side):
    """Lifecycle first, then policy, as the command path asks them."""
    who, ctx = _person(roles, side), STATUS_CTX[status]
    nxt = transitions.next_status(verb, status)
    if nxt is None:
        got = ("illegal", transitions.refusal(verb, status, ID))
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
