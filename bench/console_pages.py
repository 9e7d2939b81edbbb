"""The console's pages over HTTP with 10,000 open alerts, and how soon a change shows in
a browser.

Loads --open live alerts and --history resolved ones over three tenants (bench.console's
data), starts `tandem serve` on them, and:

1. drives each page with wrk (one connection, so a request's latency is the server's
   time plus loopback) with a signed-in person's session cookie (bench/console_pages.lua),
   /healthz run just before each page as that run's baseline; prints p50, p99 and the
   ratio of p99s. Target: p99 under 100 ms per page.
2. opens the board and an alert's page in Chromium (Playwright, Debian's /usr/bin/chromium)
   and makes --changes changes to that alert through the command path from this process,
   as the command line or another replica would (claim, release, ...); for each, the time
   from the command starting to the row (and the alert's page) showing its new version,
   noted by the page itself when its DOM changes. Target: p99 under 1 s.

    .venv/bin/python -m bench.console_pages [--engines sqlite,pg] [--open 10000]
        [--history 20000] [--seconds 5] [--changes 50] [--screenshot docs/console-board.png]

--screenshot also runs `tandem demo` and saves its board as Dana (partner) sees it.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml
from aiohttp import web
from sqlalchemy import select

from bench.common import ROOT, database, free_port, peak_rss_mb, process, python
from bench.console import CONFIG, PAT, deep_cursor, loaded
from bot.web.sessions import Sessions, new_session
from handlers.commands import Command, Identity
from handlers.config.schema import TandemConfig
from handlers.enums import Verb
from handlers.lifecycle import execute
from storage.db import connect
from storage.models import Alert

SECRET = "bench-console-session-secret"
CHROMIUM = os.environ.get("TANDEM_BENCH_CHROMIUM", "/usr/bin/chromium")
ANN = Identity(email="ann@acme.example")


def cookie(email: str) -> tuple[str, str]:
    """The session cookie of `email` signed in, as (name, value)."""
    sessions = Sessions(SECRET, secure=False)
    response = web.Response()
    sessions.write(response, new_session(email=email))
    return sessions.name, response.cookies[sessions.name].value


async def load(url: str, cfg: TandemConfig, live: int, history: int) -> tuple[str, str]:
    """The alerts; returns the position after row 5,000 of the partner's open board and
    the newest open Acme alert (the one the live changes are made to)."""
    db = await loaded(url, cfg, live, history)
    try:
        deep = await deep_cursor(db, ("acme", "globex", "initech"), min(5000, live // 2))
        async with db.read() as session:
            target = (await session.execute(
                select(Alert.short_id).where(Alert.tenant_id == "acme", Alert.status == "open")
                .order_by(Alert.first_seen.desc()).limit(1))).scalar_one()
        return deep, target
    finally:
        await db.dispose()


def pages(deep: str, target: str) -> list[tuple[str, str, str]]:
    """(what, whose cookie, path) for each page timed."""
    pat, ann = PAT.email or "", "ann@acme.example"
    return [
        ("board, open, first page", pat, "/"),
        ("board, row 5,000", pat, f"/?after={deep}&trail="),
        ("board, mine", pat, "/?state=mine"),
        ("board, unclaimed", pat, "/?state=unclaimed"),
        ("board, all (with history)", pat, "/?state=all"),
        ("board, critical+high", pat, "/?severity=critical&severity=high"),
        ("board, search 'host-12'", pat, "/?q=host-12"),
        ("board, internal, 1 tenant", ann, "/"),
        ("board's live part", pat, "/board"),
        ("alert page", pat, f"/alerts/{target}"),
        ("on call", pat, "/oncall"),
        ("silences", pat, "/silences"),
    ]


def wrk(port: int, path: str, seconds: int, session: str = "") -> dict:
    args = ["wrk", "-t1", "-c1", f"-d{seconds}s", "-s", str(ROOT / "bench/console_pages.lua"),
            f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(args, env={"COOKIE": session, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True).stdout
    stats = json.loads(out.strip().splitlines()[-1])
    stats["rps"] = stats["requests"] / (stats["duration_us"] / 1e6)
    return stats


def tandem(url: str, config: Path, port: int):
    env = {"TANDEM_DATABASE_URL": url, "TANDEM_CONFIG": str(config), "TANDEM_PORT": str(port),
           "TANDEM_SESSION_SECRET": SECRET, "TANDEM_SCHEDULER": "false"}
    return process([str(Path(python()).with_name("tandem")), "serve"], env, port)


def http_pages(port: int, deep: str, target: str, seconds: int) -> float:
    """Prints each page's figures; returns the worst p99 in ms."""
    print(f"wrk: 1 thread, 1 connection, {seconds} s a page; /healthz just before each")
    print(f"  {'page':28} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'healthz p99':>11} "
          f"{'ratio':>6}")
    cookies = {email: "=".join(cookie(email)) for _, email, _ in pages(deep, target)}
    wrk(port, "/", 2, cookies[PAT.email or ""])  # warm-up: caches, pools, statements
    worst = 0.0
    for name, email, path in pages(deep, target):
        base = wrk(port, "/healthz", max(seconds // 2, 1))
        ours = wrk(port, path, seconds, cookies[email])
        if ours["non2xx"] or ours["errors"]:
            raise SystemExit(f"{name}: {ours['non2xx']} non-2xx answers, {ours['errors']} errors")
        p99, base_p99 = ours["p99_us"] / 1000, base["p99_us"] / 1000
        worst = max(worst, p99)
        print(f"  {name:28} {ours['rps']:6.0f} {ours['p50_us'] / 1000:7.1f} {p99:7.1f} "
              f"{base_p99:11.2f} {p99 / base_p99:5.0f}x", flush=True)
    print(f"  worst page p99: {worst:.1f} ms (target < 100 ms)")
    return worst


async def _live(page) -> None:
    """Until the page's stream is open and the page was fetched again after it."""
    await page.wait_for_selector("#live-state:has-text('Updated')")


# Notes, in the page, when each version of the watched element first appears (epoch ms,
# the clock this process reads too), so Playwright's own polling is not in the figure.
WATCH = """selector => {
  window.seen = {};
  const note = () => {
    const shown = document.querySelector(selector);
    const version = shown && shown.getAttribute('data-version');
    if (version && !(version in window.seen)) {
      window.seen[version] = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true,
                                                     attributes: true});
  note();
}"""


async def _shown(page, version: int, started: float) -> float:
    """Milliseconds from `started` (epoch ms) to the page showing `version`."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        seen = await page.evaluate(f"window.seen['{version}']")
        if seen:
            return seen - started
        await asyncio.sleep(0.02)
    raise SystemExit(f"version {version} never showed")


async def browser_changes(url: str, cfg: TandemConfig, port: int, target: str,
                          changes: int) -> dict[str, list[float]]:
    from playwright.async_api import async_playwright

    base = f"http://127.0.0.1:{port}"
    name, value = cookie(PAT.email or "")
    db = connect(url)
    timings: dict[str, list[float]] = {"command": [], "board row": [], "alert page": []}
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else [])
            context = await browser.new_context()
            await context.add_cookies([{"name": name, "value": value, "url": base}])
            board, alert = await context.new_page(), await context.new_page()
            await board.goto(f"{base}/")
            await alert.goto(f"{base}/alerts/{target}")
            await asyncio.gather(_live(board), _live(alert))
            await board.evaluate(WATCH, f"#row-{target}")
            await alert.evaluate(WATCH, "#alert article")
            for n in range(changes):
                verb = Verb.CLAIM if n % 2 == 0 else Verb.RELEASE
                started = time.time() * 1000
                result = await execute(db, cfg, Command(verb, target, ANN))
                timings["command"].append(time.time() * 1000 - started)
                if not result.ok or result.view is None:
                    raise SystemExit(f"change {n}: {result.message}")
                version = result.view.state_version
                row, page = await asyncio.gather(_shown(board, version, started),
                                                 _shown(alert, version, started))
                timings["board row"].append(row)
                timings["alert page"].append(page)
                await asyncio.sleep(random.uniform(0.1, 0.5))  # out of step with the feed
            await browser.close()
    finally:
        await db.dispose()
    return timings


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def report_changes(timings: dict[str, list[float]]) -> None:
    print(f"live changes: {len(timings['command'])} changes (claim/release) made by the "
          "command path in another process, seen in Chromium")
    for what, values in timings.items():
        print(f"  {what:28} p50 {statistics.median(values):6.1f} ms  p99 {_p99(values):6.1f} ms"
              f"  max {max(values):6.1f} ms")
    worst = max(_p99(timings["board row"]), _p99(timings["alert page"]))
    print(f"  worst p99 to the page: {worst:.1f} ms (target < 1,000 ms)")


def run_engine(engine: str, cfg: TandemConfig, config: Path, work: Path,
               opts: argparse.Namespace) -> None:
    with database(engine, work) as url:
        deep, target = asyncio.run(load(url, cfg, opts.open, opts.history))
        port = free_port()
        with tandem(url, config, port) as server:
            http_pages(port, deep, target, opts.seconds)
            report_changes(asyncio.run(browser_changes(url, cfg, port, target, opts.changes)))
            print(f"  server peak RSS {peak_rss_mb(server.pid):.0f} MB", flush=True)


async def _board_shot(port: int, path: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"] if os.geteuid() == 0 else [])
        page = await browser.new_page(viewport={"width": 1280, "height": 860})
        await page.goto(f"http://127.0.0.1:{port}/")
        await page.get_by_role("button", name="Dana Reyes").click()
        await _live(page)
        await page.screenshot(path=str(path))
        await browser.close()


def demo_screenshot(path: Path) -> None:
    port = free_port()
    with process([str(Path(python()).with_name("tandem")), "demo", "--port", str(port)], {},
                 port):
        asyncio.run(_board_shot(port, path))
    print(f"screenshot of the demo's board: {path}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite")
    parser.add_argument("--open", type=int, default=10_000, help="live alerts")
    parser.add_argument("--history", type=int, default=20_000, help="resolved alerts")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's run per page")
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--screenshot", type=Path, help="save the demo's board here")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    cfg = TandemConfig.model_validate(yaml.safe_load(CONFIG))
    work = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    config = work / "bench.yaml"
    config.write_text(CONFIG)
    try:
        for engine in filter(None, opts.engines.split(",")):  # "": the screenshot only
            run_engine(engine, cfg, config, work, opts)
        if opts.screenshot:
            demo_screenshot(opts.screenshot)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
