"""The executor worker carries approved fixes out through the real executors, against
fakes on loopback: each exactly once, retried when the platform is busy, failed with the
platform's sentence, never started once its approval has run out; on SQLite and
PostgreSQL."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outbox.heartbeat import Heartbeat
from bot.outbox.pacing import Pacer, Pacing
from bot.remediation.registry import build_executors
from bot.remediation.worker import IN_DOUBT, Timing, Worker
from fakes.defender import FakeDefender
from handlers.commands import Command, Identity, Outcome
from handlers.enums import Severity, Verb
from handlers.lifecycle.dispatch import execute
from storage import audit
from storage.execution_models import Execution
from storage.models import AuditEvent
from storage.outbox_models import Outbox
from tests.bot.remediation.conftest import JO
from tests.conftest import NOW, new_alert
from tests.fixed import Fixed

SAM = Identity(email="sam@acme.example")
IVY = Identity(email="ivy@acme.example")
DANA = Identity(email="dana@partner.example")
USER = "jo@acme.example"
DEVICE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07"


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
async def defender():
    fake = await FakeDefender(machines={DEVICE: {"computerDnsName": "laptop-jo"}}).start()
    yield fake
    await fake.close()


@pytest.fixture
def env(receiver):
    return {"TANDEM_TEST_RUNBOOK_URL": receiver.hook,
            "TANDEM_TEST_RUNBOOK_SECRET": str(receiver.secret),
            "TANDEM_TEST_ACME_GRAPH_SECRET": "s3cret"}


@pytest.fixture
def make_worker(db, cfg, http, graph, defender, env):
    fast = Pacing(per_second=50, burst=5)

    def make(instance: str = "w-1", clock=None, **changes) -> Worker:
        executors = build_executors(http, db, graph_url=f"{graph.base}/v1.0",
                                    login_url=graph.base, defender_url=defender.url,
                                    pacer_factory=lambda aad: Pacer(fast, db, "defender", aad))
        return Worker(db, Fixed(cfg), executors, instance, Timing(),
                      clock=clock or Clock(), env=changes.get("env", env))
    return make


async def act(db, cfg, verb, alert, who, **args):
    return await execute(db, cfg, Command(verb, alert, who, args), now=NOW)


async def approved(db, cfg, fix: str, approver=SAM, **labels) -> int:
    """An alert whose fix `fix` Dana proposed and `approver` approved; its id."""
    alert = await new_alert(db, cfg, severity=Severity.LOW, **labels)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    assert (await act(db, cfg, Verb.PROPOSE, alert, DANA, remediation=fix)).outcome is Outcome.DONE
    done = await act(db, cfg, Verb.APPROVE, alert, approver, reason="contain it")
    assert done.outcome is Outcome.DONE, done.message
    return done.view.id


async def rows(db) -> list[Execution]:
    async with db.read() as session:
        return list((await session.execute(select(Execution).order_by(Execution.id))).scalars())


async def events(db, verb_prefix: str) -> list[AuditEvent]:
    async with db.read() as session:
        query = select(AuditEvent).where(AuditEvent.verb.startswith(verb_prefix))
        return list((await session.execute(query.order_by(AuditEvent.seq))).scalars())


async def test_an_approved_webhook_fix_is_delivered_once_and_recorded(db, cfg, make_worker,
                                                                      receiver):
    alert_id = await approved(db, cfg, "restart-service")
    worker = make_worker()
    await worker.drain()
    [row] = await rows(db)
    assert (row.status, row.external_id, row.attempts) == (
        "succeeded", f"tandem-execution-{row.id}", 1)
    [payload] = receiver.deliveries.values()
    assert (payload["fix"], payload["approved_by"], payload["alert"]) == (
        "restart-service", "sam@acme.example", row.options["alert"])
    [event] = await events(db, "execution.")
    assert (event.verb, event.actor, event.details["external_id"]) == (
        "execution.succeeded", "tandem", row.external_id)
    async with db.read() as session:
        notes = [o.payload.get("note") for o in (await session.execute(
            select(Outbox).where(Outbox.alert_id == alert_id))).scalars()]
    assert "Restart the service: executed" in notes
    await worker.drain()
    assert len(receiver.requests) == 1 and (await audit.verify(db)).ok


async def test_a_403_fails_the_fix_naming_the_permission(db, cfg, make_worker, graph):
    graph.denied.add("users.revokeSignInSessions")
    await approved(db, cfg, "revoke-sessions", user=USER)
    await make_worker().drain()
    [row] = await rows(db)
    assert row.status == "failed"
    assert "grant the app registration User.RevokeSessions.All" in row.detail
    assert "s3cret" not in row.detail
    [event] = await events(db, "execution.")
    assert event.verb == "execution.failed" and event.details["detail"] == row.detail


async def test_a_revocation_reaches_graph_once(db, cfg, make_worker, graph):
    await approved(db, cfg, "revoke-sessions", user=USER)
    await make_worker().drain()
    await make_worker().drain()
    assert graph.revoked == [JO["id"]]
    assert [r.status for r in await rows(db)] == ["succeeded"]


async def test_a_busy_platform_is_retried_with_its_retry_after(db, cfg, make_worker, receiver):
    receiver.answer_next.append((503, 7))
    await approved(db, cfg, "restart-service")
    clock = Clock()
    worker = make_worker(clock=clock)
    await worker.drain()
    [row] = await rows(db)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.detail.startswith("retrying: ") and row.due_at == NOW + timedelta(seconds=7)
    await worker.drain()  # not due yet
    assert receiver.deliveries == {}
    clock.now = NOW + timedelta(seconds=8)
    await worker.drain()
    [row] = await rows(db)
    assert (row.status, row.attempts) == ("succeeded", 2) and len(receiver.deliveries) == 1


async def test_an_expired_approval_is_never_carried_out(db, cfg, make_worker, receiver):
    await approved(db, cfg, "restart-service")
    clock = Clock()
    clock.now = NOW + timedelta(hours=1, seconds=1)
    await make_worker(clock=clock).drain()
    [row] = await rows(db)
    assert row.status == "expired" and receiver.requests == []
    assert [e.verb for e in await events(db, "execution.")] == ["execution.expired"]


async def test_a_missing_secret_fails_with_its_name_and_sends_nothing(db, cfg, make_worker,
                                                                      receiver, env):
    await approved(db, cfg, "restart-service")
    lacking = {k: v for k, v in env.items() if k != "TANDEM_TEST_RUNBOOK_SECRET"}
    await make_worker(env=lacking).drain()
    [row] = await rows(db)
    assert row.status == "failed" and receiver.requests == []
    assert row.detail == ("TANDEM_TEST_RUNBOOK_SECRET is not set on the Tandem server "
                          "(the fix's secret)")


async def test_a_launch_in_doubt_is_sent_again_under_the_same_webhook_id(db, cfg, make_worker,
                                                                        receiver):
    await approved(db, cfg, "restart-service")
    [row] = await rows(db)
    await make_worker("gone-1").work(row.id)  # a first worker delivers ...
    async with db.unit() as uow:  # ... and dies before recording it: launching, in doubt
        session = await uow.session()
        stored = await session.get(Execution, row.id)
        stored.status, stored.leased_by, stored.due_at = "launching", "gone-1", NOW
    await make_worker().drain()
    [row] = await rows(db)
    assert (row.status, row.attempts) == ("succeeded", 2)
    assert len(receiver.deliveries) == 1 and receiver.duplicates == 1


async def test_a_kind_that_cannot_be_repeated_fails_when_in_doubt(db, cfg, make_worker):
    await approved(db, cfg, "restart-service")
    [row] = await rows(db)
    async with db.unit() as uow:
        session = await uow.session()
        stored = await session.get(Execution, row.id)
        stored.kind, stored.status, stored.attempts = "azure_automation.webhook", "launching", 1
    await make_worker().drain()
    [row] = await rows(db)
    assert (row.status, row.detail) == ("failed", IN_DOUBT)


async def test_a_defender_isolation_is_followed_until_it_succeeds(db, cfg, make_worker,
                                                                  defender):
    await approved(db, cfg, "isolate-device", approver=IVY, device_id=DEVICE)
    clock = Clock()
    worker = make_worker(clock=clock)
    await worker.drain()
    [row] = await rows(db)
    assert row.status == "running" and row.external_id in defender.actions
    for _ in range(5):
        clock.now += timedelta(minutes=1)
        await worker.drain()
    [row] = await rows(db)
    assert row.status == "succeeded"
    assert [e.verb for e in await events(db, "execution.")] == [
        "execution.running", "execution.succeeded"]
    [started, _] = await events(db, "execution.")
    assert started.details["external_id"] == row.external_id
    assert len(defender.posted("isolate")) == 1


async def test_several_replicas_carry_each_fix_out_once(db, cfg, make_worker, receiver):
    for _ in range(12):
        await approved(db, cfg, "restart-service")
    workers = [make_worker(f"w-{i}") for i in range(3)]
    beats = [Heartbeat(db, w.instance, w.clock, 5.0, timedelta(seconds=15)) for w in workers]
    for beat in beats:
        await beat.__aenter__()
    try:
        await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for beat in beats:
            await beat.__aexit__(None, None, None)
    found = await rows(db)
    assert [r.status for r in found] == ["succeeded"] * 12
    assert [r.attempts for r in found] == [1] * 12
    assert len(receiver.deliveries) == 12 and receiver.duplicates == 0


async def test_stopping_cuts_a_slow_call_off_after_the_grace(db, cfg, make_worker, receiver):
    """A stop must end within 10 s: a call still in flight after the grace is cut off and
    left in doubt (launching), for another replica to take over."""
    receiver.hold_next.append(30.0)
    await approved(db, cfg, "restart-service")
    worker = make_worker()
    running = asyncio.create_task(worker.run())
    while not receiver.deliveries:
        await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    await worker.close(grace=0.5)
    await running
    assert asyncio.get_running_loop().time() - started < 2
    [row] = await rows(db)
    assert (row.status, row.attempts) == ("launching", 1)
