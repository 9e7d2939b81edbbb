"""The one table of legal status transitions, and the sentences for illegal ones.

`TRANSITIONS[verb][status]` is the status after the verb; a verb that is absent
for a status is illegal there. Escalation is a level, not a status, so ESCALATE
(like COMMENT and SIGNIFICANT) keeps the status.
"""

from collections.abc import Iterable

from handlers.enums import Status, Verb

S = Status
_UNRESOLVED = S.unresolved()
_OWNED = (S.CLAIMED, S.REMEDIATION_APPROVED, S.REMEDIATION_REJECTED)


def _keep(statuses: Iterable[Status]) -> dict[Status, Status]:
    return {s: s for s in statuses}


TRANSITIONS: dict[Verb, dict[Status, Status]] = {
    Verb.CLAIM: {S.OPEN: S.CLAIMED, S.SNOOZED: S.CLAIMED, S.SILENCED: S.CLAIMED},
    Verb.RELEASE: {s: S.OPEN for s in _OWNED},
    # Reassigning to a person makes them the owner; handing to a side then releases.
    Verb.REASSIGN: _keep(_UNRESOLVED)
    | {S.OPEN: S.CLAIMED, S.SNOOZED: S.CLAIMED, S.SILENCED: S.CLAIMED},
    Verb.ESCALATE: _keep(_UNRESOLVED),
    Verb.PROPOSE: {s: S.REMEDIATION_PENDING for s in _OWNED},
    Verb.APPROVE: {S.REMEDIATION_PENDING: S.REMEDIATION_APPROVED},
    Verb.REJECT: {S.REMEDIATION_PENDING: S.REMEDIATION_REJECTED},
    # The proposer takes a fix back; the alert is theirs again, as before they proposed.
    Verb.WITHDRAW: {S.REMEDIATION_PENDING: S.CLAIMED},
    # A fix waiting for approval is decided or withdrawn first: resolving around it
    # would close the alert without internal IT's decision.
    Verb.RESOLVE: {s: S.RESOLVED for s in _UNRESOLVED if s is not S.REMEDIATION_PENDING},
    Verb.REOPEN: {S.RESOLVED: S.OPEN},
    Verb.SNOOZE: {S.OPEN: S.SNOOZED, S.CLAIMED: S.SNOOZED},
    Verb.COMMENT: _keep(S),
    # Which fix may be retried or marked done is the fix's own state (effects.py).
    Verb.RETRY: {S.REMEDIATION_APPROVED: S.REMEDIATION_APPROVED},
    Verb.DONE: {S.REMEDIATION_APPROVED: S.REMEDIATION_APPROVED},
    # Flagging an incident significant (NIS2) and recording its reports: in any status,
    # resolved too, since incidents are often recognised late (handlers.significant).
    Verb.SIGNIFICANT: _keep(S),
}

STATUS_WORDS = {
    S.OPEN: "open and unclaimed",
    S.CLAIMED: "claimed",
    S.REMEDIATION_PENDING: "waiting for a fix to be approved",
    S.REMEDIATION_APPROVED: "carrying an approved fix",
    S.REMEDIATION_REJECTED: "carrying a rejected fix",
    S.SNOOZED: "snoozed",
    S.SILENCED: "silenced",
    S.RESOLVED: "resolved",
}

_SPECIFIC: dict[tuple[Verb, Status | None], str] = {
    (Verb.REOPEN, None): "{id} is not resolved, so there is nothing to reopen.",
    (Verb.PROPOSE, S.OPEN): "{id} is not claimed yet; claim it before proposing a fix.",
    (Verb.PROPOSE, S.SNOOZED): "{id} is snoozed; claim it before proposing a fix.",
    (Verb.PROPOSE, S.SILENCED): "{id} is silenced; claim it before proposing a fix.",
    (Verb.PROPOSE, S.REMEDIATION_PENDING): "{id} already has a fix waiting for approval.",
    (Verb.APPROVE, None): "{id} has no fix waiting for approval.",
    (Verb.REJECT, None): "{id} has no fix waiting for approval.",
    (Verb.WITHDRAW, None): "{id} has no fix waiting for approval, so there is none to withdraw.",
    (
        Verb.RESOLVE,
        S.REMEDIATION_PENDING,
    ): "{id} has a fix waiting for approval; approve, reject or withdraw it before resolving.",
    (Verb.RELEASE, S.OPEN): "{id} is not claimed, so there is nothing to release.",
    (
        Verb.RELEASE,
        S.REMEDIATION_PENDING,
    ): "{id} has a fix waiting for approval; approve or reject it before releasing.",
    (Verb.SNOOZE, S.SNOOZED): "{id} is already snoozed.",
    (Verb.CLAIM, S.CLAIMED): "{id} is already claimed.",
    (Verb.RETRY, None): "{id} has no approved fix to retry.",
    (Verb.DONE, None): "{id} has no approved fix to mark done.",
}


def next_status(verb: Verb, status: Status) -> Status | None:
    """The status after `verb`, or None when the verb is illegal in `status`."""
    return TRANSITIONS[verb].get(status)


def legal_verbs(status: Status) -> frozenset[Verb]:
    """The verbs legal in `status` (cards offer a button for those that have one)."""
    return frozenset(verb for verb, moves in TRANSITIONS.items() if status in moves)


def refusal(verb: Verb, status: Status, short_id: str) -> str:
    """A sentence a person understands for an illegal transition."""
    if status is S.RESOLVED and verb is not Verb.REOPEN:
        return f"{short_id} is already resolved; reopen it first."
    template = _SPECIFIC.get((verb, status)) or _SPECIFIC.get((verb, None))
    if template:
        return template.format(id=short_id)
    return f"{verb.value.capitalize()} is not possible: {short_id} is {STATUS_WORDS[status]}."
