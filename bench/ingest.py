"""Intake throughput with wrk: Tandem on SQLite and PostgreSQL against a do-nothing baseline.

Prints accepted alerts/s, p50/p99 latency, the ratio to the baseline and the server's
peak RSS, each server measured after a warm-up that is not counted; then an alert storm
of at least 100,000 events over 1,000 fingerprints (wrk runs until that many were
accepted), checked to end as exactly 1,000 alerts whose counts add up to the accepted
events.

    .venv/bin/python -m bench.ingest [--seconds 10] [--connections 32] [--engines sqlite,pg]
"""

import argparse
import asyncio
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text

from bench.common import ROOT, database, free_port, peak_rss_mb, process, python
from storage.db import connect

TOKEN, ROUTING = "bench-native-token", "benchroutingkey00000000000000001"
CONFIG = """
tenants:
  - id: bench
    name: Bench Ltd
    code: BENCH
    channels: [{platform: slack, channel: C0BENCH}]
    integrations:
      - {id: api, kind: native, token_env: BENCH_TOKEN}
      - {id: events, kind: events-v2, routing_key_env: BENCH_ROUTING}
"""


def warm_up(port: int, connections: int) -> None:
    """Two seconds of load that is not counted: first requests fill caches and pools."""
    wrk(port, "native", 2, connections)
    wrk(port, "events", 2, connections)


def wrk(port: int, kind: str, seconds: int, connections: int) -> dict:
    env = {"PATH_KIND": kind, "TOKEN": ROUTING if kind == "events" else TOKEN, "KEYS": "1000"}
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(ROOT / "bench/ingest.lua"),
            f"http://127.0.0.1:{port}"]
    out = subprocess.run(args, env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, check=True).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    stats["rps"] = (stats["requests"] - stats["non2xx"]) / (stats["duration_us"] / 1e6)
    return stats


def run_storm(port: int, events: int, rate: float, connections: int) -> dict:
    """wrk runs of the native endpoint until at least `events` events were accepted."""
    total = {"requests": 0, "accepted": 0, "duration_us": 0, "p99_us": 0, "runs": 0}
    while total["accepted"] < events:
        seconds = max(3, round((events - total["accepted"]) / rate * 1.1))
        stats = wrk(port, "native", seconds, connections)
        total["requests"] += stats["requests"]
        total["accepted"] += stats["requests"] - stats["non2xx"]
        total["duration_us"] += stats["duration_us"]
        total["p99_us"] = max(total["p99_us"], stats["p99_us"])
        total["runs"] += 1
    total["rps"] = total["accepted"] / (total["duration_us"] / 1e6)
    return total


def line(name: str, stats: dict, baseline: float | None = None, rss: float | None = None) -> str:
    ratio = f"  {stats['rps'] / baseline:6.1%} of baseline" if baseline else ""
    memory = f"  peak RSS {rss:5.1f} MB" if rss else ""
    return (f"{name:<28} {stats['rps']:8.0f} alerts/s  p50 {stats['p50_us'] / 1000:6.2f} ms"
            f"  p99 {stats['p99_us'] / 1000:6.2f} ms  non-2xx {stats['non2xx']}{ratio}{memory}")


async def totals(url: str) -> tuple[int, int]:
    db = connect(url)
    try:
        async with db.engine.connect() as conn:
            row = (await conn.execute(text("SELECT count(*), sum(count) FROM alert"))).one()
        return row[0], row[1] or 0
    finally:
        await db.dispose()


def tandem(url: str, config: Path, port: int):
    env = {"TANDEM_DATABASE_URL": url, "TANDEM_CONFIG": str(config), "TANDEM_PORT": str(port),
           "BENCH_TOKEN": TOKEN, "BENCH_ROUTING": ROUTING}
    return process([str(Path(python()).with_name("tandem")), "serve"], env, port)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--engines", default="sqlite,pg")
    parser.add_argument("--storm", type=int, default=100_000, help="events in the storm (at least)")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    config = work / "bench.yaml"
    config.write_text(CONFIG)

    port = free_port()
    with process([python(), str(ROOT / "bench/baseline_server.py"), str(port)], {}, port) as base:
        warm_up(port, opts.connections)
        baseline = {k: wrk(port, k, opts.seconds, opts.connections) for k in ("native", "events")}
        base_rss = peak_rss_mb(base.pid)
    print(f"wrk: 1 thread, {opts.connections} connections, {opts.seconds} s per run, "
          "1,000 fingerprints")
    for kind, stats in baseline.items():
        print(line(f"baseline 202 ({kind})", stats, rss=base_rss))

    storm_rate: dict[str, float] = {}
    for engine in opts.engines.split(","):
        with database(engine, work) as url:
            port = free_port()
            with tandem(url, config, port) as server:
                warm_up(port, opts.connections)
                for kind in ("native", "events"):
                    stats = wrk(port, kind, opts.seconds, opts.connections)
                    storm_rate.setdefault(engine, stats["rps"])
                    print(line(f"tandem {engine} ({kind})", stats, baseline[kind]["rps"],
                               peak_rss_mb(server.pid)))
        with database(engine, work) as url:
            port = free_port()
            with tandem(url, config, port) as server:
                storm = run_storm(port, opts.storm, storm_rate[engine], opts.connections)
                alerts, events = asyncio.run(totals(url))
                # wrk stops counting at its deadline; up to one request per connection
                # and run may still be committed after it.
                late = events - storm["accepted"]
                exact = alerts == 1000 and 0 <= late <= opts.connections * storm["runs"]
                verdict = "OK" if exact else "MISMATCH"
                print(f"storm {engine}: {storm['requests']} events sent, {storm['accepted']} "
                      f"accepted, {alerts} alerts, counts sum {events} -> {verdict}; "
                      f"{storm['rps']:.0f} alerts/s, p99 {storm['p99_us'] / 1000:.1f} ms "
                      f"(worst run), peak RSS {peak_rss_mb(server.pid):.1f} MB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
