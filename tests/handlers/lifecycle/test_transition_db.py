"""A sample of transition cells through the real command path on SQLite and PostgreSQL:
every refusal is audited with its reason."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handlers.commands import Command, Identity, Outcome
from handlers.enums import Role, Severity, Side, Status, Verb
from handlers.lifecycle.dispatch import dispatch, execute
from storage import audit
from storage.models import Alert, AuditEvent
from tests.conftest import new_alert
from tests.handlers.lifecycle.transition_spec import (
    APPROVED,
    CLAIMED,
    DANA_W,
    OPEN,
    PENDING,
    REJECTED,
    RESOLVED,
    SILENCED,
    SNOOZED,
    Ctx,
    V,
    Who,
    spec,
)

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
    V.DONE: {"note": "restarted it by hand"},
    V.SIGNIFICANT: {"note": "customer records exposed"},
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
        holder = f"{owner.name} ({owner.side.value})"
        return Outcome.CONFLICT, f"{short_id} is already claimed by {holder}."
    if status is APPROVED and verb in (V.RETRY, V.DONE):  # the approved fix has not failed
        return Outcome.ILLEGAL, (
            f"The fix for {short_id} has not failed (approved); only a failed fix is retried."
            if verb is V.RETRY else f"The fix for {short_id} is approved; only a failed fix, "
            "or an approved fix carried out by hand, is marked done.")
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
        async with db.unit() as uow:
            session = await uow.session()
            seq = (await _events(session, short_id, 0))[-1].seq
            seen["result"] = await dispatch(uow, cfg, cmd, T0)
            await uow.flush()
            seen["events"] = await _events(session, short_id, seq)
            session.expunge_all()  # keep what was read; the rollback would expire it
            raise _Undo
    return seen


@pytest.mark.parametrize("status", list(Status))
async def test_status_sample_through_the_database(db, cfg, status):
    short_id = await _reach(db, cfg, status)
    async with db.unit() as uow:
        session = await uow.session()
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
                done = (f"flagged {short_id} as a significant incident (NIS2); early "
                        "warning due 2026-11-21 15:00 GMT" if verb is V.SIGNIFICANT
                        else f"{verb.past} {short_id}")
                assert result.message == f"{who.name} ({who.side}) {done}."
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
    async with db.unit() as uow:
        session = await uow.session()
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
        f"{short_id} is already claimed by Dana Reyes (partner).",
    )
    woken = await execute(db, cfg, Command(V.CLAIM, short_id, DANA.identity))
    assert woken.outcome is Outcome.DONE, woken.message
    assert woken.view.status is CLAIMED and woken.view.snoozed_until is None
