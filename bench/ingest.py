"""Intake throughput with wrk: Tandem on SQLite and PostgreSQL against a do-nothing baseline.

Prints accepted alerts/s, p50/p99 latency, the ratio to the baseline and the server's
peak RSS, each server measured after a warm-up that is not counted; then an alert storm
of at least 100,000 events over 1,000 fingerprints (wrk runs until that many were
accepted), checked to end as exactly 1,000 alerts whose counts add up to the accepted
events.

The baseline and Tandem take turns, run for run (`--rounds` pairs of `--seconds`
each): on a shared virtual machine the speed drifts by a fifth within minutes, and a
ratio of runs made minutes apart measured the drift as much as Tandem.

    .venv/bin/python -m bench.ingest [--rounds 3] [--seconds 5] [--connections 32]
                                     [--engines sqlite,pg] [--storm 100000]
"""

import argparse
import asyncio
import json
import shutil
import statistics
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


def combined(runs: list[dict]) -> dict:
    """Runs as one: accepted requests over the summed time, the median p50 and the
    worst p99."""
    accepted = sum(r["requests"] - r["non2xx"] for r in runs)
    return {"rps": accepted / (sum(r["duration_us"] for r in runs) / 1e6),
            "p50_us": statistics.median(r["p50_us"] for r in runs),
            "p99_us": max(r["p99_us"] for r in runs),
            "requests": sum(r["requests"] for r in runs), "accepted": accepted,
            "non2xx": sum(r["non2xx"] for r in runs), "runs": len(runs)}


def paired(base_port: int, port: int, kind: str, opts: argparse.Namespace) -> tuple[dict, dict]:
    """The baseline and Tandem in turns, run for run; each combined."""
    base, ours = [], []
    for _ in range(opts.rounds):
        base.append(wrk(base_port, kind, opts.seconds, opts.connections))
        ours.append(wrk(port, kind, opts.seconds, opts.connections))
    return combined(base), combined(ours)


def run_storm(port: int, events: int, rate: float, connections: int) -> dict:
    """wrk runs of the native endpoint until at least `events` events were accepted."""
    runs: list[dict] = []
    while (accepted := sum(r["requests"] - r["non2xx"] for r in runs)) < events:
        seconds = max(3, round((events - accepted) / rate * 1.1))
        runs.append(wrk(port, "native", seconds, connections))
    return combined(runs)


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
    parser.add_argument("--rounds", type=int, default=3, help="baseline/Tandem pairs of runs")
    parser.add_argument("--seconds", type=int, default=5, help="length of one run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--engines", default="sqlite,pg")
    parser.add_argument("--storm", type=int, default=100_000, help="events in the storm (at least)")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    config = work / "bench.yaml"
    config.write_text(CONFIG)
    print(f"wrk: 1 thread, {opts.connections} connections, {opts.rounds} x {opts.seconds} s "
          "per server and format, baseline and Tandem in turns, 1,000 fingerprints")

    base_port = free_port()
    baseline_server = [python(), str(ROOT / "bench/baseline_server.py"), str(base_port)]
    with process(baseline_server, {}, base_port) as base:
        warm_up(base_port, opts.connections)
        for engine in opts.engines.split(","):
            storm_rate = measure(engine, base_port, base.pid, config, work, opts)
            storm(engine, storm_rate, config, work, opts)
    shutil.rmtree(work, ignore_errors=True)


def measure(engine: str, base_port: int, base_pid: int, config: Path, work: Path,
            opts: argparse.Namespace) -> float:
    """Both formats against the baseline; returns Tandem's native rate, for the storm."""
    with database(engine, work) as url:
        port = free_port()
        with tandem(url, config, port) as server:
            warm_up(port, opts.connections)
            rates = {}
            for kind in ("native", "events"):
                base, ours = paired(base_port, port, kind, opts)
                rates[kind] = ours["rps"]
                print(line(f"baseline 202 ({kind})", base, rss=peak_rss_mb(base_pid)))
                print(line(f"tandem {engine} ({kind})", ours, base["rps"],
                           peak_rss_mb(server.pid)))
    return rates["native"]


def storm(engine: str, rate: float, config: Path, work: Path, opts: argparse.Namespace) -> None:
    with database(engine, work) as url:
        port = free_port()
        with tandem(url, config, port) as server:
            result = run_storm(port, opts.storm, rate, opts.connections)
            alerts, events = asyncio.run(totals(url))
            # wrk stops counting at its deadline; up to one request per connection
            # and run may still be committed after it.
            late = events - result["accepted"]
            exact = alerts == 1000 and 0 <= late <= opts.connections * result["runs"]
            verdict = "OK" if exact else "MISMATCH"
            print(f"storm {engine}: {result['requests']} events sent, {result['accepted']} "
                  f"accepted, {alerts} alerts, counts sum {events} -> {verdict}; "
                  f"{result['rps']:.0f} alerts/s, p99 {result['p99_us'] / 1000:.1f} ms "
                  f"(worst run), peak RSS {peak_rss_mb(server.pid):.1f} MB")


if __name__ == "__main__":
    main()
