"""Command throughput and audit verification time, on SQLite and PostgreSQL.

Commands per second for claim+resolve pairs through the real command path
(handlers.lifecycle.dispatch.execute: policy, transition, audit, outbox, one unit of
work each), each pair on a fresh alert created beforehand, run by 1, 8 and 32
concurrent workers; SQLite is measured with synchronous=FULL and NORMAL (WAL in both). Then the time
`storage.audit.verify` takes for a chain of 100,000 events.

    .venv/bin/python -m bench.commands [--pairs 400] [--workers 1,8,32]
        [--events 100000] [--engines sqlite-full,sqlite-normal,pg]
        [--only commands|verify]

Targets: >= 1,000 commands/s on SQLite; 100,000 events verified in < 2 s.
PostgreSQL is reached through TANDEM_TEST_PG_URL (default the local server); the
benchmark creates and drops a database of its own.
"""

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import PG_ADMIN, admin_sql
from handlers.commands import Command, Identity, Outcome
from handlers.config.schema import TandemConfig
from handlers.config.sync import sync
from handlers.enums import Severity, Verb
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn
from handlers.lifecycle.dispatch import execute
from storage import audit, migrate
from storage.db import Database, connect

RESPONDERS = 32
CONFIG = TandemConfig.model_validate({
    "tenants": [
        {"id": "bench", "name": "Bench Ltd", "code": "BENCH",
         "channels": [{"platform": "slack", "team": "T0", "channel": "C0BENCH"},
                      {"platform": "teams", "channel": "19:bench@thread.tacv2"}]},
        {"id": "verify", "name": "Verify Ltd", "code": "VERIFY"},
    ],
    "people": [
        {"email": f"r{i}@bench.example", "name": f"Responder {i}",
         "side": "partner" if i % 2 else "internal", "roles": ["responder"],
         "tenants": ["bench"]}
        for i in range(RESPONDERS)
    ],
})
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def open_db(engine: str, workdir: Path, pool: int) -> tuple[Database, str | None]:
    """A fresh, migrated and configured database; returns it and the PG name to drop."""
    if engine.startswith("sqlite"):
        sync_mode = engine.split("-")[1].upper()
        db = connect(f"sqlite:///{workdir / f'{uuid.uuid4().hex[:8]}.db'}",
                     sqlite_synchronous=sync_mode)
        name = None
    else:
        name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
        await admin_sql(f"CREATE DATABASE {name}")
        db = connect(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", pool_size=pool)
    await migrate.upgrade(db)
    async with db.unit() as uow:
        await sync(uow, CONFIG)
    return db, name


async def close_db(db: Database, name: str | None) -> None:
    await db.dispose()
    if name:
        await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def make_alerts(db: Database, count: int) -> list[str]:
    tenant = CONFIG.tenant("bench")
    made = []
    async with db.unit() as unit:
        for _ in range(count):
            event = AlertIn(source="bench", title="Disk full", severity=Severity.HIGH,
                            dedup_key=uuid.uuid4().hex)
            made.append((await ingest(unit, CONFIG, tenant, event, T0)).alert)
    return made


async def pairs(db: Database, alerts: list[str], workers: int) -> float:
    """Claim then resolve every alert with `workers` concurrent workers; commands/s."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for alert in alerts:
        queue.put_nowait(alert)

    async def worker(n: int) -> None:
        who = Identity(email=f"r{n % RESPONDERS}@bench.example")
        while not queue.empty():
            alert = queue.get_nowait()
            for verb in (Verb.CLAIM, Verb.RESOLVE):
                result = await execute(db, CONFIG, Command(verb, alert, who))
                if result.outcome is not Outcome.DONE:
                    raise RuntimeError(f"{verb} {alert}: {result.message}")

    start = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(workers)))
    return 2 * len(alerts) / (time.perf_counter() - start)


async def bench_commands(engine: str, workdir: Path, count: int, workers: list[int]) -> None:
    db, name = await open_db(engine, workdir, pool=max(workers))
    try:
        for n in workers:
            alerts = await make_alerts(db, count)
            rate = await pairs(db, alerts, n)
            print(f"{engine:<14} claim+resolve  {n:>2} worker(s)  {rate:8.0f} commands/s"
                  f"  ({2 * count} commands)", flush=True)
        checked = await audit.verify(db, "bench")
        assert checked.ok, checked.broken
    finally:
        await close_db(db, name)


async def build_chain(db: Database, count: int) -> None:
    """`count` chained events for tenant `verify`, appended as one batch."""
    async with db.unit() as uow:
        uow.audit("verify", [
            {"at": T0 + timedelta(seconds=seq), "actor": "r1@bench.example",
             "actor_side": "partner", "verb": "comment", "alert": f"VERIFY-{seq % 500 + 1}",
             "from_status": "claimed", "to_status": "claimed", "details": {"text": f"note {seq}"}}
            for seq in range(1, count + 1)
        ])


async def bench_verify(engine: str, workdir: Path, count: int) -> None:
    db, name = await open_db(engine, workdir, pool=2)
    try:
        start = time.perf_counter()
        await build_chain(db, count)
        built = time.perf_counter() - start
        runs = []
        for _ in range(3):  # the first run reads a cold cache (and, on SQLite, the WAL)
            start = time.perf_counter()
            checked = await audit.verify(db, "verify")
            runs.append(time.perf_counter() - start)
            assert checked.ok and checked.checked == count, checked
        print(f"{engine:<14} audit verify   {count:,} events  first {runs[0]:5.2f} s, best "
              f"{min(runs):5.2f} s ({count / min(runs):,.0f} events/s; chain built in "
              f"{built:.1f} s)", flush=True)
    finally:
        await close_db(db, name)


async def main(args: argparse.Namespace) -> None:
    workers = [int(n) for n in args.workers.split(",")]
    engines = args.engines.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.only != "verify":
            for engine in engines:
                await bench_commands(engine, workdir, args.pairs, workers)
        if args.only == "commands":
            return
        for engine in dict.fromkeys("sqlite-full" if e.startswith("sqlite") else e
                                    for e in engines):
            await bench_verify(engine, workdir, args.events)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=400, help="alerts per worker setting")
    parser.add_argument("--workers", default="1,8,32")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite-full,sqlite-normal,pg")
    parser.add_argument("--only", choices=["commands", "verify"],
                        help="run one of the two benchmarks (default both)")
    asyncio.run(main(parser.parse_args()))
