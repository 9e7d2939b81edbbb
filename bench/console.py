"""The console's board with 10,000 open alerts: server time per page, SQLite and PostgreSQL.

Loads --open live alerts (claimed, snoozed, silenced and some with a fix waiting, over
three tenants of 70%, 25% and 5%) and --history resolved ones, then times
handlers.console.board (everything a page costs the server: the reader, the page, the
counts, owners, fixes and storms) for each filter, on the first page and deep ones, as a
partner serving all three tenants, an internal person of the largest and one of the
smallest. Also an alert's page and a feed poll when nothing changed. Target: p99 under
100 ms per page.

    .venv/bin/python -m bench.console [--open 10000] [--history 20000] [--runs 100] [--pg]
                                      [--plans]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bench.bulk import alert_row, analyze, insert_alerts, prepared
from bench.common import database
from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.console import BoardFilters, Feed, PageRequest, alert_page, board
from handlers.console.cursor import encode
from storage import board as stored
from storage.db import Database
from storage.models import Alert, Remediation
from storage.storm_models import Storm, StormAlert

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
TENANTS = (("acme", "ACME", 0.70), ("globex", "GLOBEX", 0.25), ("initech", "INITECH", 0.05))
SEVERITIES = ("critical", "high", "medium", "low", "info")
SOURCES = ("prometheus", "grafana", "graph", "azure-monitor")
LIVE = ("open",) * 10 + ("claimed",) * 5 + ("snoozed", "silenced", "remediation_pending")
CONFIG = """
tenants:
  - {id: acme, name: Acme Ltd, code: ACME, channels: [{platform: slack, channel: C0A}]}
  - {id: globex, name: Globex Corp, code: GLOBEX, channels: [{platform: slack, channel: C0G}]}
  - {id: initech, name: Initech, code: INITECH, channels: [{platform: slack, channel: C0I}]}
people:
  - {email: pat@partner.example, name: Pat, side: partner, tenants: [acme, globex, initech]}
  - {email: ann@acme.example, name: Ann, side: internal, tenants: [acme]}
  - {email: ivy@initech.example, name: Ivy, side: internal, tenants: [initech]}
remediations:
  - {id: restart-service, title: Restart the service, action: manual}
"""
PAT, ANN, IVY = (Identity(email=e) for e in
                 ("pat@partner.example", "ann@acme.example", "ivy@initech.example"))


def _tenant(n: int) -> tuple[str, str]:
    share = (n * 7919 % 1000) / 1000
    for tenant, code, part in TENANTS:
        if share < part:
            return tenant, code
        share -= part
    return TENANTS[0][:2]


def _rows(live: int, history: int):
    numbers = {t: 0 for t, _, _ in TENANTS}
    for n in range(live + history):
        tenant, code = _tenant(n)
        numbers[tenant] += 1
        resolved = n >= live
        status = "resolved" if resolved else LIVE[n % len(LIVE)]
        owner = {"claimed": "pat@partner.example" if n % 2 else "ann@acme.example",
                 "remediation_pending": "pat@partner.example"}.get(status)
        if owner == "ann@acme.example" and tenant != "acme":
            owner = "pat@partner.example"
        first = NOW - timedelta(seconds=30 * (n if not resolved else n * 3))
        yield alert_row(tenant, code, numbers[tenant], status=status,
                        fingerprint=f"fp-{n}", severity=SEVERITIES[n * 31 % 5],
                        source=SOURCES[n % len(SOURCES)], title=f"Disk full on host-{n % 997}",
                        owner_email=owner, owner_side="partner" if owner else None,
                        first_seen=first, count=1 + n % 5,
                        resolved_at=first + timedelta(hours=1) if resolved else None)


async def _extras(db: Database) -> None:
    """Fixes for the alerts waiting on one, and a storm holding a few hundred alerts."""
    async with db.engine.begin() as conn:
        pending = (await conn.execute(select(Alert.id, Alert.tenant_id).where(
            Alert.status == "remediation_pending"))).all()
        await conn.execute(insert(Remediation.__table__), [  # type: ignore[attr-defined]
            {"alert_id": i, "action_id": "restart-service", "note": "", "target": {},
             "proposed_by": "pat@partner.example", "proposer_side": "partner",
             "needs_internal_approver": True, "status": "pending", "decision_reason": "",
             "proposed_at": NOW} for i, _ in pending])
        storm = (await conn.execute(insert(Storm.__table__).returning(Storm.id), {  # type: ignore[attr-defined]
            "tenant_id": "acme", "platform": "slack", "channel": "C0A", "source": "prometheus",
            "opened_at": NOW, "last_at": NOW, "queued": False})).scalar_one()
        members = (await conn.execute(select(Alert.id).where(
            Alert.tenant_id == "acme", Alert.status == "open").limit(300))).scalars().all()
        await conn.execute(insert(StormAlert.__table__),  # type: ignore[attr-defined]
                           [{"storm_id": storm, "alert_id": i} for i in members])


async def deep_cursor(db: Database, tenants: tuple[str, ...], rows: int) -> str:
    """The position after the `rows` newest live alerts of `tenants`."""
    async with db.read() as session:
        seen, alert_id = (await session.execute(
            select(Alert.first_seen, Alert.id).where(Alert.tenant_id.in_(tenants),
                                                     Alert.status != "resolved")
            .order_by(Alert.first_seen.desc(), Alert.id.desc()).offset(rows - 1).limit(1))).one()
    return encode(seen, alert_id)


async def _cases(db: Database) -> list[tuple[str, Identity, BoardFilters, PageRequest]]:
    every = ("acme", "globex", "initech")
    deep = await deep_cursor(db, every, 5000)
    deepest = await deep_cursor(db, every, 9000)
    open_ = BoardFilters()
    return [
        ("open, first page", PAT, open_, PageRequest()),
        ("open, page 101 (row 5,000)", PAT, open_, PageRequest(deep)),
        ("open, row 9,000", PAT, open_, PageRequest(deepest)),
        ("open, 200 a page", PAT, open_, PageRequest(size=200)),
        ("mine", PAT, BoardFilters(state="mine"), PageRequest()),
        ("unclaimed", PAT, BoardFilters(state="unclaimed"), PageRequest()),
        ("all (with history)", PAT, BoardFilters(state="all"), PageRequest()),
        ("resolved", PAT, BoardFilters(state="resolved"), PageRequest()),
        ("tenant globex", PAT, BoardFilters(tenant="globex"), PageRequest()),
        ("critical+high", PAT, BoardFilters(severities=("critical", "high")), PageRequest()),
        ("source graph", PAT, BoardFilters(source="graph"), PageRequest()),
        ("search 'host-12'", PAT, BoardFilters(text="host-12"), PageRequest()),
        ("search, no match", PAT, BoardFilters(text="nothing like it"), PageRequest()),
        ("internal, 1 tenant", ANN, open_, PageRequest()),
        ("internal, mine", ANN, BoardFilters(state="mine"), PageRequest()),
        ("small tenant (5%)", IVY, open_, PageRequest()),
    ]


async def _timed(call, runs: int) -> tuple[float, float]:
    await call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


async def _plans(db: Database, cfg: TandemConfig) -> None:
    dialect = postgresql.dialect() if db.dialect == "postgresql" else sqlite.dialect()
    explain = "EXPLAIN" if db.dialect == "postgresql" else "EXPLAIN QUERY PLAN"
    queries = {"open page": stored.BoardQuery(("acme", "globex", "initech"),
                                              statuses=("open", "claimed"), live=True)}
    for name, q in queries.items():
        for statement, params in (stored.page_query(q, db.dialect),
                                  stored.counts_query(q, db.dialect)):
            sql = statement.params(params).compile(
                dialect=dialect, compile_kwargs={"literal_binds": True, "render_postcompile": True})
            async with db.read() as session:
                plan = (await session.execute(text(f"{explain} {sql}"))).all()
            print(f"  plan ({name}):", " | ".join(str(row[-1]).strip() for row in plan))


async def loaded(url: str, cfg: TandemConfig, live: int, history: int) -> Database:
    """A migrated database at `url` with the board's alerts, storms and fixes, analysed;
    prints how long loading took."""
    db = await prepared(url, cfg)
    started = time.perf_counter()
    await insert_alerts(db, _rows(live, history))
    await _extras(db)
    await analyze(db)
    print(f"{db.dialect}: {live:,} live + {history:,} resolved alerts loaded in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return db


async def run(url: str, cfg: TandemConfig, live: int, history: int, runs: int,
              plans: bool) -> None:
    db = await loaded(url, cfg, live, history)
    try:
        if plans:
            await _plans(db, cfg)
        print(f"  {'case':30} {'rows':>5} {'p50 ms':>7} {'p99 ms':>7}")
        worst = 0.0
        for name, who, filters, page in await _cases(db):
            shown = await board(db, cfg, who, filters, page, NOW)
            if isinstance(shown, str):
                raise SystemExit(f"{name}: {shown}")
            p50, p99 = await _timed(lambda w=who, f=filters, p=page: board(db, cfg, w, f, p, NOW),
                                    runs)
            worst = max(worst, p99)
            print(f"  {name:30} {len(shown.rows):5} {p50:7.1f} {p99:7.1f}", flush=True)
        p50, p99 = await _timed(lambda: alert_page(db, cfg, PAT, "ACME-1"), runs)
        print(f"  {'alert page (ACME-1)':30} {'':5} {p50:7.1f} {p99:7.1f}")
        feed = Feed(db)
        with feed.watching({"acme", "globex", "initech"}):
            p50, p99 = await _timed(feed.poll, runs)
        print(f"  {'feed poll, nothing new':30} {'':5} {p50:7.1f} {p99:7.1f}")
        print(f"  worst board p99: {worst:.1f} ms (target < 100 ms)", flush=True)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=10_000, help="live alerts")
    parser.add_argument("--history", type=int, default=20_000, help="resolved alerts")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL as well as SQLite")
    parser.add_argument("--plans", action="store_true", help="print the board's query plans")
    args = parser.parse_args()
    cfg = TandemConfig.model_validate(yaml.safe_load(CONFIG))
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("sqlite", "pg") if args.pg else ("sqlite",):
            with database(engine, Path(tmp)) as url:
                asyncio.run(run(url, cfg, args.open, args.history, args.runs, args.plans))


if __name__ == "__main__":
    main()
