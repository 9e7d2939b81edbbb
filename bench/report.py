"""Monthly report cost for a tenant with 100,000 alerts in the month and 1,000,000 audit
events, on SQLite (default) or PostgreSQL (--pg).

Loads November 2026 at "Bench Ltd" (COPY on PostgreSQL, large executemany batches on
SQLite): every alert has ten events in a realistic mix (created, pings of the
unclaimed ones, claims, hand-overs between sides, escalations, snoozes, fixes
proposed, approved and executed, refusals, comments, resolutions by people and by
sources, a few incidents flagged significant); 1 % are critical. Then times `build`,
`to_json` + `json.dumps`, the HTML and the PDF (each made from the view, as `tandem
report --format html|pdf` and the monthly run make them: the PDF makes its HTML and
charts again) in a fresh process per run (--runs; the median run is shown), so that
loading does not count in its peak RSS. Targets: under 10 s and 300 MB for a
report in any one format.

    .venv/bin/python -m bench.report [--alerts 100000] [--runs 3] [--pg [SERVER]]
"""

import argparse
import asyncio
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

import yaml
from pypdf import PdfReader
from sqlalchemy import insert

from bench.bulk import alert_row, analyze, insert_alerts, prepared
from bench.common import PG_ADMIN, create_pg, drop_pg
from bench.report_events import EVENTS_PER_ALERT, alert_events
from cards import report
from handlers.config.schema import TandemConfig
from handlers.evidence.build import build
from handlers.evidence.payload import to_json
from storage import evidence
from storage.db import Database, connect
from storage.execution_models import Execution
from storage.models import AuditEvent, Remediation, Silence

TENANT, MONTH = "bench", "2026-11"
STARTS = datetime(2026, 11, 1, tzinfo=UTC)  # London is on GMT all November
NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)
CONFIG = """
tenants:
  - id: bench
    name: Bench Ltd
    code: BENCH
    timezone: Europe/London
    channels: [{platform: slack, channel: C0BENCH}]
    schedules:
      - name: internal
        members: [ann@bench.example, bob@bench.example]
        rotation: {every: 1w, handoff: "mon 09:00", start: 2026-01-05}
        only: {days: mon-fri, start: "08:00", end: "18:00"}
      - name: partner
        members: [pat@partner.example, quinn@partner.example]
        rotation: {every: 1d, handoff: "18:00", start: 2026-01-05}
    escalation:
      - for: [critical, high]
        steps: [{after: 5m, notify: on-call}, {after: 15m, notify: channel}]
people:
  - {email: ann@bench.example, name: Ann Ito, side: internal, tenants: [bench],
     roles: [responder, approver]}
  - {email: bob@bench.example, name: Bob Lund, side: internal, tenants: [bench]}
  - {email: pat@partner.example, name: Pat Roe, side: partner, tenants: [bench]}
  - {email: quinn@partner.example, name: Quinn Ash, side: partner, tenants: [bench]}
remediations:
  - {id: restart-service, title: Restart the service, action: webhook, url_env: BENCH_URL,
     secret_env: BENCH_SECRET}
"""
SOURCES = [f"source-{i:02d}" for i in range(30)]
BATCH = 20_000


def _config() -> TandemConfig:
    return TandemConfig.model_validate(yaml.safe_load(CONFIG))


def _alerts(total: int):
    step = timedelta(days=30) / total
    for n in range(1, total + 1):
        events = alert_events(n, STARTS + step * (n - 1), SOURCES[(n * n) % len(SOURCES)])
        yield n, events


async def _copy(db: Database, table, rows: list[dict]) -> None:
    """Insert rows of plain values into `table`: COPY on PostgreSQL."""
    async with db.engine.begin() as conn:
        if db.dialect != "postgresql":
            await conn.execute(insert(table), rows)
            return
        columns = list(rows[0])
        records = [tuple(_copyable(row[c]) for c in columns) for row in rows]
        raw = (await conn.get_raw_connection()).driver_connection
        await raw.copy_records_to_table(table.name, records=records, columns=columns)


def _copyable(value):
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


async def load(url: str, total: int) -> tuple[Database, int]:
    db = await prepared(url, _config())
    alerts, events, fixes, runs, seq = [], [], [], [], 0
    for n, made in _alerts(total):
        alerts.append(alert_row(TENANT, "BENCH", n, **made.alert))
        for event in made.events:
            seq += 1
            events.append({"tenant_id": TENANT, "seq": seq, "alert": f"BENCH-{n}",
                           "prev_hash": "0" * 64, "hash": f"{seq:064x}", **event})
        if made.fix:
            fixes.append({"id": len(fixes) + 1, "alert_id": n, **made.fix})
            runs.append({"tenant_id": TENANT, "alert_id": n, "remediation_id": len(fixes),
                         **made.run})
        if len(events) >= BATCH:
            await _copy(db, AuditEvent.__table__, events)
            events.clear()
    await insert_alerts(db, alerts)
    for rows, table in ((events, AuditEvent.__table__), (fixes, Remediation.__table__),
                        (runs, Execution.__table__)):
        if rows:
            await _copy(db, table, rows)
    await _copy(db, Silence.__table__, [
        {"tenant_id": TENANT, "matchers": {"source": SOURCES[i]}, "reason": "patching",
         "created_by": "ann@bench.example", "starts_at": STARTS + timedelta(days=i),
         "ends_at": STARTS + timedelta(days=i, hours=4)} for i in range(20)])
    await analyze(db)
    return db, seq


async def _measure(url: str) -> dict:
    db = connect(url)
    try:
        cpu, started = time.process_time(), time.perf_counter()
        async with evidence.reading(db) as session:
            view = await build(session, _config(), TENANT, MONTH, NOW)
        built = time.perf_counter()
        text = json.dumps(to_json(view), sort_keys=True)
        done = time.perf_counter()
        page = report.html(view)
        shown = time.perf_counter()
        printed = report.pdf(view)
        finished = time.perf_counter()
    finally:
        await db.dispose()
    measured = {"cpu_s": time.process_time() - cpu,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    return measured | {
        "build_s": built - started, "json_s": done - built, "html_s": shown - done,
        "pdf_s": finished - shown, "pdf_mb": len(printed) / 1e6, "html_mb": len(page) / 1e6,
        "pages": len(PdfReader(io.BytesIO(printed)).pages), "json_mb": len(text) / 1e6,
        "alerts": view.alerts, "incidents": len(view.incidents),
        "escalations": len(view.escalations), "remediations": len(view.remediations)}


def _whole(r: dict) -> float:
    return r["build_s"] + r["json_s"] + r["html_s"] + r["pdf_s"]


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.report", *args], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def measured(url: str, runs: int) -> dict:
    """`_measure` in a fresh process per run, as `tandem report` runs. Loading runs in a
    process of its own too: a child's peak RSS (getrusage) counts what it inherited when
    forked, so the process that forks stays small. Times are the median run's, RSS the
    highest."""
    found = [_child("--measure", url) for _ in range(runs)]
    middle = sorted(found, key=_whole)[len(found) // 2]
    return middle | {"rss_mb": max(r["rss_mb"] for r in found)}


async def _loaded(url: str, total: int) -> dict:
    started = time.perf_counter()
    db, count = await load(url, total)
    await db.dispose()
    return {"load_s": time.perf_counter() - started, "events": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", nargs="?", const=PG_ADMIN,
                        help="run on PostgreSQL (server URL; a temporary database is made)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child processes' database
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure or args.load:
        work = _measure(args.measure) if args.measure else _loaded(args.load, args.alerts)
        print(json.dumps(asyncio.run(work)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url, name = (asyncio.run(create_pg(args.pg)) if args.pg
                     else (f"sqlite:///{folder}/bench.db", ""))
        try:
            loaded = _child("--load", url, "--alerts", str(args.alerts))
            r = measured(url, args.runs)
        finally:
            if args.pg:
                asyncio.run(drop_pg(args.pg, name))
    engine = "postgresql" if args.pg else "sqlite"
    print(f"{engine}: {r['alerts']:,} alerts, {loaded['events']:,} audit events "
          f"({EVENTS_PER_ALERT} per alert), loaded in {loaded['load_s']:.0f} s")
    print(f"  build {r['build_s']:.2f} s + to_json/dumps {r['json_s']:.2f} s, "
          f"{r['cpu_s']:.2f} s of CPU (median of {args.runs} runs, one process each); "
          f"peak RSS {r['rss_mb']:.0f} MB; JSON {r['json_mb']:.1f} MB; "
          f"{r['incidents']:,} incidents, {r['escalations']:,} escalations, "
          f"{r['remediations']:,} fixes")
    print(f"  HTML {r['html_s']:.2f} s ({r['html_mb']:.1f} MB), PDF {r['pdf_s']:.2f} s "
          f"({r['pages']} pages, {r['pdf_mb']:.1f} MB); build + JSON + HTML + PDF "
          f"{_whole(r):.2f} s")
    print(f"  as `tandem report` makes each format: json {r['build_s'] + r['json_s']:.2f} s, "
          f"html {r['build_s'] + r['html_s']:.2f} s, pdf (also the monthly run) "
          f"{r['build_s'] + r['pdf_s']:.2f} s")


if __name__ == "__main__":
    main()
