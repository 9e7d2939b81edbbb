"""Remediation benchmark: approvals to the executor's request, and Defender's call rate.

1. Approvals: the real aiohttp app on a loopback port (Slack pointed at the fake from
   fakes/, the runbook webhook at a Standard Webhooks receiver); 50 alerts each carrying
   a partner's proposed fix; 50 concurrent signed Approve clicks from another process,
   at Slack's per-channel rate (each approval and each result also posts a thread note;
   `--approval-rate 1000` lifts it). p50/p99 from each click to its HTTP ack (the
   baseline) and to the signed webhook reaching the receiver (target p99 < 1 s).
2. Defender: 100 isolations kept in progress at the fake Defender for Endpoint API, the
   executor worker launching and polling them for 70 s on the shipped timing: the most
   calls the fake saw in any 60 s (Defender allows 100).

    .venv/bin/python bench/remediation.py            # SQLite in a temporary folder
    .venv/bin/python bench/remediation.py --pg       # PostgreSQL at 127.0.0.1:5432
"""

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # fakes/, and the Slack benchmark's harness

from slack_actions import FORM, ROUTING, App, fire, ms, pct  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.common import create_pg, drop_pg  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.outbox.delivery import Tuning  # noqa: E402
from cards import actions as A  # noqa: E402
from fakes.defender import FakeDefender  # noqa: E402
from fakes.graph import FakeGraph  # noqa: E402
from fakes.runbooks import WebhookReceiver  # noqa: E402
from fakes.slack import payloads  # noqa: E402
from fakes.slack.api import FakeSlack  # noqa: E402
from fakes.slack.signing import sign  # noqa: E402
from handlers.commands import Command, Identity, Outcome  # noqa: E402
from handlers.enums import Verb  # noqa: E402
from handlers.lifecycle.dispatch import execute  # noqa: E402
from storage.execution_models import Execution  # noqa: E402
from storage.models import Alert  # noqa: E402

DANA, SAM = Identity(email="dana@partner.example"), Identity(email="sam@acme.example")
DEVICE = "0f{:038x}"


async def _proposed(app: App, n: int) -> list[tuple[str, int]]:
    """`n` alerts with Dana's proposed restart; (short id, the state version its card shows)."""
    await asyncio.gather(*(app.enqueue(f"fix-{i}", severity="warning") for i in range(n)))
    async with app.runtime.db.read() as session:
        ids = list((await session.execute(select(Alert.short_id))).scalars())
    cfg = app.runtime.cfg
    for short_id in ids:
        for verb, args in ((Verb.CLAIM, {}), (Verb.PROPOSE, {"remediation": "restart-service"})):
            done = await execute(app.runtime.db, cfg, Command(verb, short_id, DANA, args))
            if done.outcome is not Outcome.DONE:
                raise SystemExit(f"FAILED: {verb} {short_id}: {done.message}")
    async with app.runtime.db.read() as session:
        return [(a.short_id, a.state_version) for a in (await session.execute(
            select(Alert).where(Alert.short_id.in_(ids)))).scalars()]


async def approvals(db_url: str, n: int, rate: float | None) -> None:
    """Cards and proposals by a first app paced at 1,000 posts a second; the approvals
    on a second app on the same database, at the shipped per-channel rate (`rate`
    overrides it), with the outbox at rest."""
    receiver, fake = await WebhookReceiver().start(), FakeSlack()
    await fake.start()
    os.environ.update({"TANDEM_TEST_RUNBOOK_URL": receiver.hook,
                       "TANDEM_TEST_RUNBOOK_SECRET": str(receiver.secret)})
    try:
        async with App(db_url, rate=1000.0, fake=fake) as app:
            shown = await _proposed(app, n)
            await app.settle(60)
            await asyncio.sleep(Tuning().recheck_seconds + 0.5)
            await app.settle(60)
        shipped = Settings()
        async with App(db_url, rate=rate or shipped.slack_posts_per_second, fake=fake,
                       poll=shipped.outbox_poll_seconds) as app:
            await _approve_all(app, receiver, shown)
    finally:
        await receiver.close()
        await fake.close()


async def _approve_all(app: App, receiver: WebhookReceiver, shown: list[tuple[str, int]]) -> None:
    n = len(shown)
    requests = []
    for short_id, version in shown:
        body = payloads.form(payloads.block_action(payloads.SAM, short_id, version, A.APPROVE))
        requests.append((body, {"Content-Type": FORM, **sign(body)}))
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(pool, fire, f"{app.base}/healthz", [])
        answers = await loop.run_in_executor(pool, fire, f"{app.base}/slack/events", requests)
        deadline = time.monotonic() + 60
        while len(receiver.deliveries) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await asyncio.to_thread(pool.shutdown)
    if len(receiver.deliveries) < n:
        raise SystemExit(f"FAILED: {len(receiver.deliveries)} of {n} fixes delivered")
    arrived = {r["headers"]["webhook-id"]: r["at"] for r in receiver.requests}
    async with app.runtime.db.read() as session:
        by_alert = {e.options["alert"]: f"tandem-execution-{e.id}" for e in
                    (await session.execute(select(Execution))).scalars()}
    ack = [answered - sent for sent, answered, _ in answers]
    reach = [arrived[by_alert[short_id]] - sent
             for (short_id, _), (sent, _, _) in zip(shown, answers, strict=True)]
    print(f"approvals: {n} concurrent signed Approve clicks ({app.runtime.db.dialect}), "
          f"{app.rate:g} posts a second per channel")
    print(f"  click -> HTTP ack          p50 {ms(pct(ack, 50))}   p99 {ms(pct(ack, 99))}")
    print(f"  click -> webhook received  p50 {ms(pct(reach, 50))}   "
          f"p99 {ms(pct(reach, 99))}   (target p99 < 1 s; "
          f"{pct(reach, 99) / pct(ack, 99):.1f}x the ack)")
    print(f"  deliveries {len(receiver.deliveries)}, duplicates {receiver.duplicates}")


async def defender(db_url: str, n: int, seconds: float) -> None:
    """`n` isolations that stay in progress, carried by the app's own worker for `seconds`."""
    machines = {DEVICE.format(i): {"computerDnsName": f"laptop-{i}", "ends": "InProgress"}
                for i in range(n)}
    fake, graph = await FakeDefender(machines=machines).start(), await FakeGraph().start()
    os.environ["TANDEM_TEST_ACME_GRAPH_SECRET"] = "s3cret"
    where = {"graph_url": f"{graph.base}/v1.0", "graph_login_url": graph.base,
             "defender_url": fake.url}
    try:
        async with App(db_url, rate=1000.0, **where) as app:
            await _queue_isolations(app, list(machines))
            await asyncio.sleep(seconds)
            async with app.runtime.db.read() as session:
                found = [e.status for e in (await session.execute(select(Execution))).scalars()]
        print(f"defender: {n} isolations kept in progress, {seconds:.0f} s "
              f"({app.runtime.db.dialect})")
        print(f"  calls {len(fake.arrivals)}, most in any 60 s {fake.calls_in_any_minute} "
              f"(Defender allows 100), answered 429: {fake.throttled}, "
              f"launched {len(fake.actions)}, running {found.count('running')} of {len(found)}")
    finally:
        await fake.close()
        await graph.close()


async def _queue_isolations(app: App, devices: list[str]) -> None:
    """An approved isolation per device (Sam approves Dana's proposal, with a reason)."""
    db, cfg = app.runtime.db, app.runtime.cfg
    await asyncio.gather(*(app.enqueue(f"iso-{i}", severity="warning")
                           for i in range(len(devices))))
    async with db.read() as session:
        ids = list((await session.execute(select(Alert.short_id))).scalars())
    for short_id, device in zip(ids, devices, strict=False):
        async with db.unit() as uow:
            session = await uow.session()
            alert = (await session.execute(select(Alert).where(Alert.short_id == short_id))
                     ).scalar_one()
            alert.labels = {**alert.labels, "device_id": device}
        sam = Identity(email="sam@acme.example")
        for verb, who, args in ((Verb.CLAIM, DANA, {}),
                                (Verb.PROPOSE, DANA, {"remediation": "isolate-device"}),
                                (Verb.APPROVE, sam, {"reason": "contain it"})):
            done = await execute(db, cfg, Command(verb, short_id, who, args))
            if done.outcome is not Outcome.DONE:
                raise SystemExit(f"FAILED: {verb} {short_id}: {done.message}")


async def run(args: argparse.Namespace) -> None:
    os.environ.update(dict(ROUTING.values()))
    phases = {"approvals": lambda url: approvals(url, args.approvals, args.approval_rate),
              "defender": lambda url: defender(url, args.isolations, args.seconds)}
    for name in args.phases.split(","):
        if args.pg:
            url, db_name = await create_pg(args.pg)
            try:
                await phases[name](url)
            finally:
                await drop_pg(args.pg, db_name)
        else:
            with tempfile.TemporaryDirectory() as folder:
                await phases[name](f"sqlite:///{folder}/bench.db")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", nargs="?", const="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="run on PostgreSQL (server URL; a temporary database is made)")
    parser.add_argument("--phases", default="approvals,defender")
    parser.add_argument("--approvals", type=int, default=50)
    parser.add_argument("--approval-rate", type=float, default=None,
                        help="posts a second per channel while approving (default: shipped)")
    parser.add_argument("--isolations", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=70.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
