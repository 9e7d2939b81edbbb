"""Escalation tick cost on SQLite and PostgreSQL: it grows with due alerts, not open ones.

Loads open, unclaimed, escalating alerts whose timers lie in the future, makes N of
them due, and times one tick (median of --runs). Each due alert gets its timer moved
by the fenced UPDATE, DM outbox rows, a card re-render row per channel and a
hash-chained audit event, all in the tick's transaction; the UPDATE is one statement for the
whole batch, and so are the outbox and audit INSERTs on PostgreSQL. Target: under 50 ms for 100 due
among 100,000. The machine's other load shows in the figures: run it 2-3 times.

    .venv/bin/python -m bench.escalation [--open 100000] [--runs 5] [--engines sqlite,pg]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import update

from bench.bulk import alert_row, analyze, insert_alerts, prepared
from bench.common import database
from handlers.config.schema import TandemConfig
from handlers.escalation.steps import tick
from storage.db import Database
from storage.models import Alert

NOW = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
CONFIG = """
tenants:
  - id: bench
    name: Bench Ltd
    code: BENCH
    timezone: Europe/London
    channels: [{platform: slack, channel: C0BENCH}, {platform: teams, channel: "19:b@thread"}]
    schedules:
      - name: internal
        members: [ann@bench.example]
        rotation: {every: 1w, handoff: "mon 09:00", start: 2026-01-05}
        only: {days: mon-fri, start: "08:00", end: "18:00"}
      - name: partner
        members: [pat@partner.example]
        rotation: {every: 1d, handoff: "18:00", start: 2026-01-05}
    escalation:
      - for: [critical, high]
        steps: [{after: 5m, notify: on-call}, {after: 15m, notify: channel}]
        repeat: 10
people:
  - {email: ann@bench.example, name: Ann, side: internal, tenants: [bench],
     slack: {team: T0B, user: U0ANN}, teams: {aad_object_id: aad-ann}}
  - {email: pat@partner.example, name: Pat, side: partner, tenants: [bench],
     slack: {team: T0P, user: U0PAT}}
"""


def _rows(first: int, count: int):
    for number in range(first, first + count):
        yield alert_row("bench", "BENCH", number, first_seen=NOW - timedelta(minutes=1),
                        next_escalation_at=NOW + timedelta(minutes=10, seconds=number))


async def _make_due(db: Database, due: int) -> None:
    async with db.unit() as uow:
        session = await uow.session()
        await session.execute(
            update(Alert).where(Alert.tenant_id == "bench", Alert.number <= due)
            .values(next_escalation_at=NOW - timedelta(seconds=1), escalation_level=0))


async def _time_tick(db: Database, cfg: TandemConfig, due: int, runs: int) -> float:
    timings = []
    for _ in range(runs):
        await _make_due(db, due)
        started = time.perf_counter()
        taken = await tick(db, cfg, NOW)
        timings.append((time.perf_counter() - started) * 1000)
        assert taken == due, (taken, due)
    return statistics.median(timings)


async def run(url: str, cfg: TandemConfig, open_total: int, runs: int) -> list[tuple]:
    db = await prepared(url, cfg)
    results = []
    try:
        loaded = 0
        for size, dues in ((open_total // 10, (100,)), (open_total, (0, 100, 1000))):
            loaded += await insert_alerts(db, _rows(loaded + 1, size - loaded))
            await analyze(db)
            for due in dues:
                results.append((size, due, await _time_tick(db, cfg, due, runs)))
    finally:
        await db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engines", default="sqlite,pg")
    args = parser.parse_args()
    cfg = TandemConfig.model_validate(yaml.safe_load(CONFIG))
    print(f"{'engine':8} {'open':>8} {'due':>6} {'ms/tick':>9} {'ms/due alert':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in args.engines.split(","):
            with database(engine, Path(tmp)) as url:
                for size, due, ms in asyncio.run(run(url, cfg, args.open, args.runs)):
                    per = f"{ms / due:13.3f}" if due else f"{'-':>13}"
                    print(f"{engine:8} {size:8,} {due:6,} {ms:9.1f} {per}", flush=True)


if __name__ == "__main__":
    main()
