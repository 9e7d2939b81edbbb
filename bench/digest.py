"""Daily digest cost for a tenant with 1,000,000 historical alerts, SQLite and PostgreSQL.

Loads two years of alerts (about 1,370 a day, almost all resolved, a few hundred
still live), then times building the digest view (median of --runs) and queueing
it for one channel (digest_sent row + outbox row). Target: under 1 s.

    .venv/bin/python -m bench.digest [--alerts 1000000] [--runs 5] [--engines sqlite,pg]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bench.bulk import alert_row, analyze, insert_alerts, prepared
from bench.common import database
from handlers.config.schema import TandemConfig
from handlers.digest import build as digest
from storage.db import Database

NOW = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
HISTORY = timedelta(days=730)
LIVE = 400
SOURCES = [f"source-{i:02d}" for i in range(20)]
SEVERITIES = ("critical", "high", "medium", "low", "info")
CONFIG = """
tenants:
  - id: bench
    name: Bench Ltd
    code: BENCH
    timezone: Europe/London
    channels: [{platform: slack, channel: C0BENCH}]
    digest: {at: "08:30"}
people:
  - {email: ann@bench.example, name: Ann, side: internal, tenants: [bench]}
  - {email: pat@partner.example, name: Pat, side: partner, tenants: [bench]}
"""


def _rows(total: int):
    step = HISTORY / total
    for n in range(1, total + 1):
        first = NOW - HISTORY + step * n
        side = "internal" if n % 3 else "partner"
        owner = "ann@bench.example" if side == "internal" else "pat@partner.example"
        live = n > total - LIVE
        claimed = first + timedelta(minutes=n % 90) if n % 10 else None
        values = {"source": SOURCES[n % len(SOURCES)], "severity": SEVERITIES[n % 5],
                  "first_seen": first, "count": 1 + n % 7, "claimed_at": claimed,
                  "owner_email": owner if claimed else None, "owner_side": side}
        if live:
            values["status"] = "claimed" if claimed else "open"
        else:
            values.update(status="resolved",
                          resolved_at=(claimed or first) + timedelta(minutes=n % 600))
        yield alert_row("bench", "BENCH", n, **values)


async def _time(call, runs: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


async def _build(db: Database, cfg: TandemConfig):
    async with db.unit() as uow:
        session = await uow.session()
        return await digest.build(session, cfg, cfg.tenant("bench"), NOW - timedelta(days=1), NOW)


async def run(url: str, cfg: TandemConfig, total: int, runs: int) -> dict:
    db = await prepared(url, cfg)
    try:
        started = time.perf_counter()
        await insert_alerts(db, _rows(total))
        await analyze(db)
        loaded = time.perf_counter() - started
        build_ms, view = await _time(lambda: _build(db, cfg), runs)
        sent_ms, sent = await _time(lambda: digest.send_due(db, cfg, "bench", NOW), 1)
    finally:
        await db.dispose()
    return {"load_s": loaded, "build_ms": build_ms, "send_ms": sent_ms, "sent": sent,
            "new": view.new, "open": view.open}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engines", default="sqlite,pg")
    args = parser.parse_args()
    cfg = TandemConfig.model_validate(yaml.safe_load(CONFIG))
    print(f"{'engine':8} {'alerts':>10} {'load s':>7} {'build ms':>9} {'send ms':>8} "
          f"{'new/day':>8} {'open':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            with database(engine, Path(tmp)) as url:
                r = asyncio.run(run(url, cfg, args.alerts, args.runs))
                assert r["sent"] == 1
                print(f"{engine:8} {args.alerts:10,} {r['load_s']:7.1f} {r['build_ms']:9.1f} "
                      f"{r['send_ms']:8.1f} {r['new']:8,} {r['open']:5}", flush=True)


if __name__ == "__main__":
    main()
