"""Three replicas on one PostgreSQL database under an alert storm, one of them killed
with SIGKILL midway (the one that started first, so the leader of the scheduled jobs):
no accepted alert is lost, no card is posted twice, the channel never gets posts
faster than its rate, and each escalated alert is pinged exactly once."""

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

import aiohttp
import yaml
from sqlalchemy import func, select, update

from fakes.slack.api import TOKEN
from fakes.slack.signing import SECRET
from storage.db import Database, connect
from storage.models import Alert
from storage.outbox_models import Outbox
from storage.storm_models import Storm
from tests.bot.intake.conftest import TOKENS
from tests.conftest import DATA
from tests.e2e.replicas import Replica, stop

RATE = 5.0  # posts a second into one Slack channel
ALERTS = 48
STORM_THRESHOLD = 10
CHANNEL = "C0OPS"


def _config(path: Path) -> Path:
    """The test configuration, with storms on and one escalation step: a message in the
    alert's channels after a minute unclaimed (the test makes that minute pass)."""
    doc = yaml.safe_load((DATA / "config.yaml").read_text(encoding="utf-8"))
    acme = doc["tenants"][0]
    acme["storm"] = {"threshold": STORM_THRESHOLD, "window": "2m"}
    acme["escalation"] = [{"for": ["critical", "high"],
                           "steps": [{"after": "1m", "notify": "channel"}]}]
    acme["integrations"] = [i for i in acme["integrations"] if i["kind"] != "graph"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _env(db_url: str, config: Path, fake_url: str) -> dict:
    return {**os.environ, **TOKENS, "TANDEM_DATABASE_URL": db_url, "TANDEM_CONFIG": str(config),
            "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake_url,
            "TANDEM_SLACK_POSTS_PER_SECOND": str(RATE), "TANDEM_ESCALATION_TICK_SECONDS": "1",
            "TANDEM_OUTBOX_POLL_SECONDS": "0.5", "TANDEM_SCHEDULER": "true"}


async def _send(http: aiohttp.ClientSession, base: str, n: int) -> str | None:
    """One alert; its short id when accepted (202), else None."""
    severity = "critical" if n % 12 == 5 else "high"
    body = {"title": f"Disk full on node-{n}", "severity": severity, "dedup_key": f"node-{n}"}
    headers = {"Authorization": f"Bearer {TOKENS['TANDEM_TEST_ACME_TOKEN']}"}
    try:
        async with http.post(f"{base}/v1/alerts", json=body, headers=headers) as answer:
            if answer.status != 202:
                return None
            return str((await answer.json())["alerts"][0]["id"])
    except aiohttp.ClientError:
        return None


async def _storm(http: aiohttp.ClientSession, replicas: list[Replica]) -> list[str]:
    """Send ALERTS alerts round-robin; halfway, kill -9 the first replica (a load
    balancer then sends to the other two). Every one must be accepted."""
    accepted: list[str] = []
    for n in range(ALERTS):
        if n == ALERTS // 2:
            os.kill(replicas[0].process.pid, signal.SIGKILL)
        live = replicas if n < ALERTS // 2 else replicas[1:]
        short_id = await _send(http, live[n % len(live)].base, n)
        assert short_id is not None, f"alert {n} was refused"
        accepted.append(short_id)
    return accepted


async def _slack_pending(db: Database) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(Outbox).where(
            Outbox.platform == "slack", Outbox.done_at.is_(None)))).scalar_one()


async def _settled(db: Database, fake, timeout: float) -> None:
    """Wait until nothing is left for Slack and no post has arrived for a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = max((c.at for c in fake.calls), default=0.0)
        if await _slack_pending(db) == 0 and time.monotonic() - last > 1.0:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{await _slack_pending(db)} Slack rows still undelivered")


async def _escalate_now(db: Database) -> int:
    """Make every pending escalation due, as if its minute had passed."""
    async with db.unit() as uow:
        session = await uow.session()
        done = await session.execute(update(Alert).where(Alert.next_escalation_at.is_not(None))
                                     .values(next_escalation_at=func.now()))
        return done.rowcount


async def _escalated(db: Database, timeout: float) -> None:
    """Wait until the leader's tick has taken every alert's escalation step."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.read() as session:
            waiting = (await session.execute(select(func.count()).select_from(Alert).where(
                Alert.escalation_level == 0))).scalar_one()
        if waiting == 0:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{waiting} alerts not escalated")


def _never_faster_than_the_rate(times: list[float]) -> None:
    """Every send takes its turn on the database's clock; measured at the fake, a few
    milliseconds of jitter either way, never two turns' worth in one interval."""
    times = sorted(times)
    for i, first in enumerate(times):
        within = [t for t in times[i:] if t - first < 1.0]
        assert len(within) <= RATE + 1, f"{len(within)} posts within a second"
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) > 0.5 / RATE, sorted(gaps)[:5]


async def test_three_replicas_under_a_storm_with_one_killed(pg_url, fake_slack, tmp_path):
    env = _env(pg_url, _config(tmp_path / "tandem.yaml"), fake_slack.url)
    replicas = [Replica(env, tmp_path / f"serve-{n}.log") for n in range(3)]
    db = connect(pg_url)
    try:
        async with aiohttp.ClientSession() as http:
            for replica in replicas:
                await replica.ready()
            accepted = await _storm(http, replicas)
            assert replicas[0].process.wait(5) == -signal.SIGKILL
            await _settled(db, fake_slack, timeout=60)

            async with db.read() as session:
                stored = set((await session.execute(select(Alert.short_id))).scalars())
                storms = (await session.execute(select(Storm.id).where(
                    Storm.platform == "slack"))).scalars().all()
            assert len(set(accepted)) == ALERTS and set(accepted) == stored  # none lost

            cards = Counter(m["metadata"]["event_payload"]["alert"]
                            for m in fake_slack.cards(CHANNEL))
            assert cards and max(cards.values()) == 1, cards.most_common(3)  # none twice
            storm_posts = [c for c in fake_slack.calls_to("chat.postMessage")
                           if c.args.get("channel") == CHANNEL and "🌩" in c.args.get("text", "")]
            assert len(storms) >= 1 and len(storm_posts) == len(storms)

            escalated = await _escalate_now(db)
            assert escalated == len(stored)  # every alert is high or critical, unclaimed
            await _escalated(db, timeout=30)
            await _settled(db, fake_slack, timeout=90)
            pings = Counter(c.args["text"].split(" ")[0] for c in fake_slack.calls_to(
                "chat.postMessage") if c.args.get("channel") == CHANNEL
                and "is unclaimed" in c.args.get("text", "") and "thread_ts" not in c.args)
            assert set(pings) == stored and set(pings.values()) == {1}  # each exactly once

            _never_faster_than_the_rate([c.at for c in fake_slack.calls_to("chat.postMessage")
                                         if c.args.get("channel") == CHANNEL])
    finally:
        stop(replicas)
        await db.dispose()
