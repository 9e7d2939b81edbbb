"""Live reload across replicas: two `tandem serve` processes on one database. A partner
engineer removed from the file is refused in Slack on both within seconds of `tandem
config reload`; a bad file sent with SIGHUP is refused, its problems logged, and the
configuration in force stays."""

import asyncio
import os
import signal
import time
from pathlib import Path

import aiohttp
from sqlalchemy import select

from cards import actions as A
from fakes.slack import payloads
from fakes.slack.api import TOKEN
from fakes.slack.signing import SECRET, sign
from storage.db import Database, connect
from storage.models import Alert, AuditEvent
from tests.bot.intake.conftest import TOKENS
from tests.bot.reload_files import DANA, bad, config_text, without_dana, write
from tests.e2e.replicas import TANDEM, Replica, stop

CONVERGED_WITHIN = 8.0  # seconds: a poll every 2 s, and a click's own time


def _env(db_url: str, config: Path, fake_url: str) -> dict:
    return {**os.environ, **TOKENS, "TANDEM_DATABASE_URL": db_url, "TANDEM_CONFIG": str(config),
            "TANDEM_SCHEDULER": "false", "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_url}


async def _alerts(http: aiohttp.ClientSession, base: str, count: int) -> list[str]:
    body = [{"title": f"Disk full {n}", "severity": "high", "dedup_key": f"disk-{n}"}
            for n in range(count)]
    headers = {"Authorization": f"Bearer {TOKENS['TANDEM_TEST_ACME_TOKEN']}"}
    async with http.post(f"{base}/v1/alerts", json=body, headers=headers) as answer:
        assert answer.status == 202, await answer.text()
        return [a["id"] for a in (await answer.json())["alerts"]]


async def _click_claim(http: aiohttp.ClientSession, replica: Replica, short_id: str,
                       fake_url: str) -> None:
    action = payloads.block_action(payloads.DANA, short_id, 1, A.CLAIM,
                                   response_url=f"{fake_url}response")
    body = payloads.form(action)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    async with http.post(f"{replica.base}/slack/events", data=body.encode(),
                         headers=headers) as answer:
        assert answer.status == 200, await answer.text()


async def _outcome(db: Database, short_id: str) -> str:
    """Whether Dana's claim of `short_id` was carried out or refused (waits for either)."""
    for _ in range(100):
        async with db.read() as session:
            owner = (await session.execute(
                select(Alert.owner_email).where(Alert.short_id == short_id))).scalar_one()
            refused = (await session.execute(select(AuditEvent.id).where(
                AuditEvent.verb == "refused", AuditEvent.alert == short_id))).first()
        if owner == DANA:
            return "accepted"
        if refused is not None:
            return "refused"
        await asyncio.sleep(0.05)
    raise AssertionError(f"Dana's claim of {short_id} was neither carried out nor refused")


async def _refused_within(http, db, replica, fresh: list[str], fake_url: str) -> float:
    """Click with fresh alerts until a claim is refused; how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < CONVERGED_WITHIN:
        short_id = fresh.pop()
        await _click_claim(http, replica, short_id, fake_url)
        if await _outcome(db, short_id) == "refused":
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"{replica.base} still accepts Dana after {CONVERGED_WITHIN} s:\n"
                         f"{replica.log.read_text()}")


async def test_a_removed_person_is_refused_on_every_replica_after_reload(
        pg_url, fake_slack, tmp_path):
    config = write(tmp_path / "tandem.yaml", config_text())
    env = _env(pg_url, config, fake_slack.url)
    replicas = [Replica(env, tmp_path / f"serve-{n}.log") for n in range(2)]
    db = connect(pg_url)
    try:
        async with aiohttp.ClientSession() as http:
            for replica in replicas:
                await replica.ready()
            fresh = await _alerts(http, replicas[0].base, 24)
            for replica in replicas:  # before the reload Dana may claim on both
                short_id = fresh.pop()
                await _click_claim(http, replica, short_id, fake_slack.url)
                assert await _outcome(db, short_id) == "accepted"
            write(config, without_dana())
            reload = await asyncio.create_subprocess_exec(
                str(TANDEM), "config", "reload", env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await reload.communicate()
            assert (reload.returncode, out.decode(), err.decode()) == (
                0, f"configuration version 2 published from {config}\n", "")
            for replica in replicas:
                await _refused_within(http, db, replica, fresh, fake_slack.url)
                short_id = fresh.pop()  # and it stays refused
                await _click_claim(http, replica, short_id, fake_slack.url)
                assert await _outcome(db, short_id) == "refused"
    finally:
        stop(replicas)
        await db.dispose()
    for replica in replicas:
        assert "configuration version 2 in force" in replica.log.read_text()


async def test_sighup_with_a_bad_file_logs_its_problems_and_keeps_the_configuration(
        sqlite_url, fake_slack, tmp_path):
    config = write(tmp_path / "tandem.yaml", config_text())
    replica = Replica(_env(sqlite_url, config, fake_slack.url), tmp_path / "serve.log")
    db = connect(sqlite_url)
    try:
        async with aiohttp.ClientSession() as http:
            await replica.ready()
            fresh = await _alerts(http, replica.base, 2)
            write(config, bad())
            replica.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while "configuration problem: people[3].side" not in replica.log.read_text():
                assert time.monotonic() < deadline, replica.log.read_text()
                await asyncio.sleep(0.1)
            assert replica.process.poll() is None  # still running
            await _click_claim(http, replica, fresh[0], fake_slack.url)
            assert await _outcome(db, fresh[0]) == "accepted"  # Dana's rights stay
    finally:
        stop([replica])
        await db.dispose()
    log = replica.log.read_text()
    assert f"configuration {config} refused (2 problem(s)); version 1 stays in force" in log
    assert ("configuration problem: tenants[0].code: must be 2 to 16 capital letters or "
            "digits, starting with a letter") in log
    assert "configuration problem: people[3].side: must be internal or partner" in log
    assert "Traceback" not in log and replica.process.returncode == 0
