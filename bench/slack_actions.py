"""Slack benchmark: button clicks and an alert storm through the whole program.

The real aiohttp app (bot.app.build_app) runs on a loopback port with its Slack Web API
pointed at the fake from fakes/; clicks are correctly signed HTTP requests.

1. Clicks: 50 concurrent signed Claim clicks on 50 posted cards, at Slack's per-channel
   rate (each click's thread note goes one a second, after the updates; `--click-rate
   1000` lifts it); p50/p99 from each request to its HTTP ack, and to the chat.update
   reaching the fake.
2. Storm: 10,000 Events v2 triggers over 500 dedup keys into one channel (POST
   /v2/enqueue); exactly 500 chat.postMessage calls, never closer together than the
   pacing allows, and every card ending on its right count (20).
3. Pacing at Slack's real rate (1 message a second) on a smaller storm.
4. Critical: a critical alert sent halfway through a 10,000-alert storm into one
   channel paced at Slack's rate: from its 202 to its card reaching the fake (target
   3 s; without priority it would wait for every card queued before it).
5. Replicas: the pacing storm sent round-robin to 1 and then 3 apps (each its own
   runtime, pool and dispatcher, as replicas are) on one database: the busiest second
   at the fake, which must stay within the channel's rate either way.

    .venv/bin/python bench/slack_actions.py            # SQLite in a temporary folder
    .venv/bin/python bench/slack_actions.py --pg       # PostgreSQL at 127.0.0.1:5432
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake Slack and the payload helpers live in fakes/

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.common import create_pg, drop_pg  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.outbox.delivery import Tuning  # noqa: E402
from bot.runtime import Runtime, open_runtime  # noqa: E402
from cards import actions as A  # noqa: E402
from fakes.slack import payloads  # noqa: E402
from fakes.slack.api import TOKEN, FakeSlack  # noqa: E402
from fakes.slack.signing import SECRET, sign  # noqa: E402
from storage.models import Alert  # noqa: E402
from storage.outbox_models import Outbox  # noqa: E402

CONFIG = ROOT / "tests" / "data" / "config.yaml"
# Events v2 routing keys, in the environment variables tests/data/config.yaml names.
ROUTING = {"acme": ("TANDEM_TEST_ACME_ROUTING", "acmeroutingkey0000000000000000001"),
           "globex": ("TANDEM_TEST_GLOBEX_ROUTING", "globexroutingkey00000000000000001")}
# The storm goes to Globex, whose only channel is Slack's C0ALERTS. Acme also has a
# Teams channel whose rows nobody sends here, and intake skips a repeat's card row while
# any card row of the alert is pending, on any channel: Slack's counts would stall.
STORM_TENANT, STORM_CHANNEL = "globex", "C0ALERTS"
FORM = "application/x-www-form-urlencoded"
CLICKERS = (payloads.SAM, payloads.LEE, payloads.DANA, payloads.RAJ)


class App:
    """The program on a loopback port, with Slack pointed at a fresh fake."""

    def __init__(self, db_url: str, rate: float, fake: FakeSlack | None = None,
                 poll: float = 0.05, **settings: str):
        self.db_url, self.rate, self.poll = db_url, rate, poll
        self.settings = settings  # more Settings, e.g. where Graph and Defender are
        self.fake = fake or FakeSlack()
        self._own_fake = fake is None

    async def __aenter__(self) -> "App":
        if self._own_fake:
            await self.fake.start()
        settings = Settings(database_url=self.db_url, config=CONFIG, SLACK_BOT_TOKEN=TOKEN,
                            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=self.fake.url,
                            slack_posts_per_second=self.rate, outbox_poll_seconds=self.poll,
                            **self.settings)
        self.runtime: Runtime = await open_runtime(settings)
        self.runner = web.AppRunner(build_app(self.runtime), access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.http.close()
        await self.runner.cleanup()
        await self.runtime.close()
        if self._own_fake:
            await self.fake.close()

    async def enqueue(self, key: str, tenant: str = "acme", severity: str = "warning") -> None:
        body = {"routing_key": ROUTING[tenant][1], "event_action": "trigger", "dedup_key": key,
                "payload": {"summary": f"Disk full on {key}", "source": key,
                            "severity": severity}}
        async with self.http.post(f"{self.base}/v2/enqueue", json=body) as response:
            if response.status != 202:
                raise RuntimeError(f"/v2/enqueue answered {response.status}")

    async def pending(self) -> int:
        async with self.runtime.db.read() as session:
            query = select(func.count()).select_from(Outbox).where(
                Outbox.done_at.is_(None), Outbox.platform == "slack")
            return (await session.execute(query)).scalar_one()

    async def settle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while await self.pending():
            if time.monotonic() > deadline:
                raise RuntimeError("the outbox did not settle in time")
            await asyncio.sleep(0.1)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def fire(url: str, requests: list[tuple[str, dict]]) -> list[tuple[float, float, int]]:
    """In a separate process, as Slack would be: send every signed request at once;
    (sent, answered, status) per request, on the machine-wide monotonic clock."""

    async def send_all() -> list[tuple[float, float, int]]:
        async with aiohttp.ClientSession() as http:
            async def one(body: str, headers: dict) -> tuple[float, float, int]:
                sent = time.monotonic()
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                    return sent, time.monotonic(), response.status
            return await asyncio.gather(*(one(b, h) for b, h in requests))

    return asyncio.run(send_all())


async def clicks(db_url: str, n: int, rate: float | None) -> None:
    """The cards are posted by a first app paced at 1,000 a second; a second app on the
    same database clicks, at the shipped poll interval and per-channel rate (`rate`
    overrides it), after a warm-up click by each clicker (a fresh process's first click
    compiles its SQL and asks users.info who clicked), once the outbox is at rest: as a
    burst of clicks meets a server that has been running. Each click also posts a note in
    the card's thread; at Slack's rate those go one a second, after the updates."""
    warm = len(CLICKERS)
    fake = FakeSlack()
    await fake.start()
    try:
        async with App(db_url, rate=1000.0, fake=fake) as app:
            await asyncio.gather(*(app.enqueue(f"click-{i}") for i in range(n + warm)))
            await fake.wait_for(lambda: len(fake.cards("C0OPS")) == n + warm, timeout=120)
            await app.settle(60)
        ids = [m["metadata"]["event_payload"]["alert"] for m in fake.cards("C0OPS")]
        shipped = Settings()
        async with App(db_url, rate=rate or shipped.slack_posts_per_second, fake=fake,
                       poll=shipped.outbox_poll_seconds) as app:
            warm_up = [_click(i, short_id) for i, short_id in enumerate(ids[:warm])]
            await asyncio.to_thread(fire, f"{app.base}/slack/events", warm_up)
            await fake.wait_for(lambda: len(fake.calls_to("chat.update")) >= warm, timeout=60)
            await app.settle(60)
            await asyncio.sleep(Tuning().recheck_seconds + 0.5)
            await _click_burst(app, ids[warm:], warm)
    finally:
        await fake.close()


async def _click_burst(app: App, ids: list[str], before: int) -> None:
    """Every click at once from another process; the figures."""
    requests = [_click(i, short_id) for i, short_id in enumerate(ids)]
    n = len(ids)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(pool, fire, f"{app.base}/healthz", [])  # start it
        answers = await loop.run_in_executor(pool, fire, f"{app.base}/slack/events", requests)
        if any(status != 200 for _, _, status in answers):
            raise SystemExit("FAILED: a click was not acknowledged with 200")
        await app.fake.wait_for(lambda: len(app.fake.calls_to("chat.update")) >= n + before,
                                timeout=120)
    finally:  # joining the clicking process blocks: not while the app is at work
        await asyncio.to_thread(pool.shutdown)
    updated = {c.args["metadata"]["event_payload"]["alert"]: c.at
               for c in app.fake.calls_to("chat.update")}
    ack = [answered - sent for sent, answered, _ in answers]
    update = [updated[s] - sent for s, (sent, _, _) in zip(ids, answers, strict=True)]
    print(f"clicks: {n} concurrent signed Claim clicks ({app.runtime.db.dialect}), "
          f"{app.rate:g} posts a second per channel, after {before} warm-up clicks")
    print(f"  request -> HTTP ack      p50 {ms(pct(ack, 50))}   p99 {ms(pct(ack, 99))}"
          f"   (target p99 < 100 ms)")
    print(f"  request -> chat.update   p50 {ms(pct(update, 50))}   p99 {ms(pct(update, 99))}"
          f"   (target p99 < 250 ms)")


def _click(i: int, short_id: str) -> tuple[str, dict]:
    """A signed Claim click on `short_id`'s card, by one of the clickers in turn."""
    body = payloads.form(payloads.block_action(CLICKERS[i % len(CLICKERS)], short_id, 1,
                                               A.CLAIM))
    return body, {"Content-Type": FORM, **sign(body)}


async def storm(db_url: str, events: int, keys: int, rate: float, senders: int = 50) -> None:
    async with App(db_url, rate=rate) as app:
        queue = list(range(events))
        started = time.monotonic()

        async def sender() -> None:
            while queue:
                await app.enqueue(f"storm-{queue.pop() % keys}", STORM_TENANT)

        await asyncio.gather(*(sender() for _ in range(senders)))
        intake = time.monotonic() - started
        await app.settle(timeout=keys / rate * 3 + 120)
        total = time.monotonic() - started
        await asyncio.sleep(Tuning().recheck_seconds + 0.5)  # the last lanes' re-check
        await app.settle(timeout=60)
        report_storm(app, events, keys, rate, intake, total)
        await check_counts(app, events // keys, keys)


async def critical(db_url: str, events: int) -> None:
    """A critical alert halfway through a storm of new alerts into one channel paced at
    Slack's 1 a second: its card goes before the thousands queued ahead of it."""
    async with App(db_url, rate=1.0) as app:
        queue = list(range(events))

        async def sender() -> None:
            while queue:
                await app.enqueue(f"flood-{queue.pop()}", STORM_TENANT)

        senders = [asyncio.create_task(sender()) for _ in range(50)]
        while len(queue) > events // 2:
            await asyncio.sleep(0.01)
        await app.enqueue("the-critical-one", STORM_TENANT, "critical")
        accepted = time.monotonic()
        await asyncio.gather(*senders)
        posted = await _first_post_about(app, "the-critical-one", timeout=60)
        ahead = await app.pending()
        print(f"critical: one critical alert sent after {events // 2:,} of a {events:,}-alert "
              f"storm, pacing 1/s ({app.runtime.db.dialect})")
        print(f"  202 -> its card at the fake {posted - accepted:6.2f} s   (target < 3 s); "
              f"{ahead:,} cards still queued behind it")


async def _first_post_about(app: App, key: str, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in app.fake.calls_to("chat.postMessage"):
            if key in call.args.get("text", "") or key in json.dumps(call.args.get("blocks")):
                return call.at
        await asyncio.sleep(0.02)
    raise SystemExit(f"FAILED: no card for {key} within {timeout} s")


async def replicas(db_url: str, events: int, keys: int, rate: float) -> None:
    """The same storm through 1 and then 3 apps on one database and one fake Slack."""
    for count in (1, 3):
        fake = FakeSlack()
        await fake.start()
        apps = [App(db_url, rate, fake) for _ in range(count)]
        try:
            for app in apps:
                await app.__aenter__()
            await _replica_storm(apps, fake, events, keys, rate)
        finally:
            for app in apps:
                await app.__aexit__(None, None, None)
            await fake.close()


async def _replica_storm(apps: list[App], fake: FakeSlack, events: int, keys: int,
                         rate: float) -> None:
    queue, count = list(range(events)), len(apps)

    async def sender(i: int) -> None:
        while queue:
            await apps[i % count].enqueue(f"r{count}-{queue.pop() % keys}", STORM_TENANT)

    started = time.monotonic()
    await asyncio.gather(*(sender(i) for i in range(30)))
    while len(fake.calls_to("chat.postMessage")) < keys:
        if time.monotonic() - started > keys / rate * 3 + 60:
            raise SystemExit("FAILED: the replicas did not post every card")
        await asyncio.sleep(0.1)
    await apps[0].settle(60)
    posts = sorted(c.at for c in fake.calls_to("chat.postMessage", ok_only=False))
    gaps = [b - a for a, b in zip(posts, posts[1:], strict=False)]
    print(f"replicas: {count} on one {apps[0].runtime.db.dialect} database, {events} "
          f"events over {keys} keys into one channel paced {rate:g}/s")
    print(f"  posts {len(posts)}; most in any one second {busiest_second(posts)} "
          f"(allowed {int(rate) + 1}); closest two {min(gaps) * 1000:.0f} ms apart; "
          f"mean rate {(len(posts) - 1) / (posts[-1] - posts[0]):.2f}/s")
    if busiest_second(posts) > int(rate) + 1:
        raise SystemExit("FAILED: replicas together posted faster than the pacing")


def busiest_second(times: list[float]) -> int:
    """The most posts that arrived within any one second."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def report_storm(app: App, events: int, keys: int, rate: float, intake: float,
                 total: float) -> None:
    posts = [c.at for c in app.fake.calls_to("chat.postMessage", ok_only=False)]
    gaps = [b - a for a, b in zip(posts, posts[1:], strict=False)]
    allowed = int(rate) + 1  # the pacing's rate plus its burst of one
    print(f"storm: {events} events over {keys} keys into one channel, pacing {rate:g}/s "
          f"({app.runtime.db.dialect})")
    print(f"  intake {intake:6.1f} s ({events / intake:,.0f} events/s); all delivered after "
          f"{total:6.1f} s")
    print(f"  chat.postMessage calls {len(posts)} (expected {keys}); chat.update calls "
          f"{len(app.fake.calls_to('chat.update'))}")
    print(f"  most posts in any one second {busiest_second(posts)} (allowed {allowed}); "
          f"closest two {min(gaps) * 1000:.1f} ms apart at the fake "
          f"(paced {1000 / rate:.1f} ms apart when sent)")
    if len(posts) != keys:
        raise SystemExit(f"FAILED: {len(posts)} chat.postMessage calls, expected {keys}")
    if busiest_second(posts) > allowed:
        raise SystemExit("FAILED: posts came faster than the pacing allows")


async def check_counts(app: App, expected: int, keys: int) -> None:
    async with app.runtime.db.read() as session:
        query = select(Alert.short_id, Alert.count).where(Alert.tenant_id == STORM_TENANT)
        rows = (await session.execute(query)).all()
    wrong = [s for s, count in rows if count != expected]
    stale = [s for s, count in rows
             if not _shows_count(app.fake.card_for(STORM_CHANNEL, s), count)]
    print(f"  cards {len(app.fake.cards(STORM_CHANNEL))}; alerts with count {expected}: "
          f"{len(rows) - len(wrong)}/{keys}; cards not showing their count: {len(stale)}")
    if wrong or stale or len(rows) != keys:
        raise SystemExit("FAILED: some cards do not end on their right count")


def _shows_count(cards: list[dict], count: int) -> bool:
    """The card's Occurrences field (a plain_text field: "Occurrences\\n20") shows `count`."""
    return len(cards) == 1 and f"Occurrences\\n{count}\"" in json.dumps(cards[0]["blocks"])


async def run(args: argparse.Namespace) -> None:
    os.environ.update(dict(ROUTING.values()))
    phases = {"clicks": lambda url: clicks(url, args.clicks, args.click_rate),
              "storm": lambda url: storm(url, args.events, args.keys, args.rate),
              "pacing": lambda url: storm(url, args.real_events, args.real_keys, 1.0),
              "critical": lambda url: critical(url, args.events),
              "replicas": lambda url: replicas(url, args.real_events, 2 * args.real_keys, 2.0)}
    for name in args.phases.split(","):
        phase = phases[name]
        if args.pg:
            url, name = await create_pg(args.pg)
            try:
                await phase(url)
            finally:
                await drop_pg(args.pg, name)
        else:
            with tempfile.TemporaryDirectory() as folder:
                await phase(f"sqlite:///{folder}/bench.db")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", nargs="?", const="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="run on PostgreSQL (server URL; a temporary database is made)")
    parser.add_argument("--phases", default="clicks,storm,pacing,critical,replicas",
                        help="which to run, comma-separated: clicks, storm, pacing, critical, "
                             "replicas")
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--click-rate", type=float, default=None,
                        help="posts a second per channel while clicking (default: shipped)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0,
                        help="posts per second per channel for the big storm (Slack: 1)")
    parser.add_argument("--real-events", type=int, default=200)
    parser.add_argument("--real-keys", type=int, default=10)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
