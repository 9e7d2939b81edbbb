"""An approved fix survives the process that carries it out: killed with SIGKILL after
the approval and while the call is in flight, `tandem serve` started again delivers it
exactly once (the receiver dedups the repeat on its webhook-id); three replicas on one
PostgreSQL database carry each of many fixes out once."""

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import select

from fakes.runbooks import WebhookReceiver
from handlers.commands import Command, Identity, Outcome
from handlers.enums import Severity, Verb
from handlers.lifecycle.dispatch import execute
from storage import audit
from storage.execution_models import Execution
from storage.models import AuditEvent
from tests.conftest import DATA, _synced, new_alert
from tests.e2e.replicas import TANDEM, Replica, stop

SAM, DANA = Identity(email="sam@acme.example"), Identity(email="dana@partner.example")


async def _approve(db, cfg, n: int) -> None:
    """`n` alerts whose restart-service fix Dana proposed and Sam approved."""
    for _ in range(n):
        alert = await new_alert(db, cfg, severity=Severity.LOW)
        for verb, who, args in ((Verb.CLAIM, DANA, {}),
                                (Verb.PROPOSE, DANA, {"remediation": "restart-service"}),
                                (Verb.APPROVE, SAM, {})):
            done = await execute(db, cfg, Command(verb, alert, who, args))
            assert done.outcome is Outcome.DONE, done.message


def _env(db_url: str, receiver: WebhookReceiver) -> dict:
    return {**os.environ, "TANDEM_DATABASE_URL": db_url, "TANDEM_CONFIG": str(DATA / "config.yaml"),
            "TANDEM_TEST_RUNBOOK_URL": receiver.hook,
            "TANDEM_TEST_RUNBOOK_SECRET": str(receiver.secret), "TANDEM_SCHEDULER": "false",
            "TANDEM_HEARTBEAT_SECONDS": "1"}  # a dead replica's leases lapse in 3 s


async def _executions(db) -> list[Execution]:
    async with db.read() as session:
        return list((await session.execute(select(Execution).order_by(Execution.id))).scalars())


async def _until(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_killed_mid_call_the_fix_is_delivered_once_after_restart(db_url, cfg, tmp_path):
    db = await _synced(db_url, cfg)
    receiver = await WebhookReceiver(hold_next=[60.0]).start()
    try:
        await _approve(db, cfg, 1)  # approved and committed; no server running yet
        first = Replica(_env(db_url, receiver), tmp_path / "first.log")
        await first.ready()

        async def delivered() -> bool:
            return bool(receiver.deliveries)
        await _until(delivered, 30)  # the runbook got it; the answer is held
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)
        [row] = await _executions(db)
        assert row.status == "launching"  # in doubt: sent, its answer never recorded
        second = Replica(_env(db_url, receiver), tmp_path / "second.log")
        await second.ready()

        async def finished() -> bool:
            return [r.status for r in await _executions(db)] == ["succeeded"]
        await _until(finished, 45)  # once the dead process's lease is void (3 missed beats)
        stop([second])
        [row] = await _executions(db)
        assert row.attempts == 2 and len(receiver.deliveries) == 1
        assert receiver.duplicates == 1  # the repeat carried the same webhook-id
        async with db.read() as session:
            done = (await session.execute(select(AuditEvent).where(
                AuditEvent.verb == "execution.succeeded"))).scalars().all()
        assert len(done) == 1 and (await audit.verify(db)).ok
        verified = subprocess.run([str(TANDEM), "audit", "verify"], env=_env(db_url, receiver),
                                  capture_output=True, text=True, timeout=60)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        await receiver.close()
        await db.dispose()


async def test_three_replicas_carry_each_fix_out_once(pg_url, cfg, tmp_path: Path):
    db = await _synced(pg_url, cfg)
    receiver = await WebhookReceiver().start()
    replicas = [Replica(_env(pg_url, receiver), tmp_path / f"r{i}.log") for i in range(3)]
    try:
        for replica in replicas:
            await replica.ready()
        await _approve(db, cfg, 15)  # the replicas find them on their poll

        async def finished() -> bool:
            rows = await _executions(db)
            return len(rows) == 15 and all(r.status == "succeeded" for r in rows)
        await _until(finished, 60)
        assert [r.attempts for r in await _executions(db)] == [1] * 15
        assert len(receiver.deliveries) == 15 and receiver.duplicates == 0
    finally:
        stop(replicas)
        await receiver.close()
        await db.dispose()
