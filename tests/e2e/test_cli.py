"""`tandem alert send` against a live server, and `tandem silence` end to end."""

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Alert
from storage.outbox_models import Outbox
from tests.bot.intake.conftest import TOKENS
from tests.bot.intake.live_server import live_server
from tests.conftest import DATA


def tandem(*args: str, env: dict) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("tandem")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def running(tmp_path, sqlite_template, cfg):
    target = tmp_path / "cli.db"
    shutil.copy(sqlite_template, target)
    env = {
        **os.environ,
        **TOKENS,
        "TANDEM_DATABASE_URL": f"sqlite:///{target}",
        "TANDEM_CONFIG": str(DATA / "config.yaml"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in TOKENS.items():
            patch.setenv(name, value)
        with live_server(env["TANDEM_DATABASE_URL"], cfg) as (base, db, loop):
            yield base, env, db, loop


def query(db, loop, statement):
    async def run():
        async with db.unit() as uow:
            s = await uow.session()
            return list((await s.execute(statement)).scalars())

    return asyncio.run_coroutine_threadsafe(run(), loop).result(10)


def test_send_posts_through_the_native_endpoint(running):
    base, env, db, loop = running
    sent = tandem(
        "alert",
        "send",
        "--tenant",
        "acme",
        "--title",
        "Smoke test",
        "--severity",
        "medium",
        "--dedup-key",
        "smoke",
        "--url",
        base,
        env=env,
    )
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip() == "ACME-1 created"
    again = tandem(
        "alert",
        "send",
        "--tenant",
        "acme",
        "--title",
        "Smoke test",
        "--dedup-key",
        "smoke",
        "--url",
        base,
        env=env,
    )
    assert again.stdout.strip() == "ACME-1 deduplicated"
    (alert,) = query(db, loop, select(Alert))
    assert (alert.title, alert.severity, alert.count) == ("Smoke test", "medium", 2)


def test_send_reports_an_unreachable_server(running):
    _, env, _, _ = running
    sent = tandem(
        "alert", "send", "--tenant", "acme", "--title", "x", "--url", "http://127.0.0.1:1", env=env
    )
    assert sent.returncode == 1
    assert sent.stderr.startswith("error: cannot reach http://127.0.0.1:1/v1/alerts")


def test_silence_add_list_expire(running):
    base, env, db, loop = running
    added = tandem(
        "silence",
        "add",
        "--tenant",
        "acme",
        "--match",
        "service=backup",
        "--for",
        "2h",
        "--reason",
        "nightly maintenance",
        "--as",
        "sam@acme.example",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    silence_id = added.stdout.split()[1]
    listed = tandem("silence", "list", "--tenant", "acme", env=env)
    assert "service=backup" in listed.stdout and "nightly maintenance" in listed.stdout
    tandem(
        "alert",
        "send",
        "--tenant",
        "acme",
        "--title",
        "Backup slow",
        "--label",
        "service=backup",
        "--url",
        base,
        env=env,
    )
    (quiet,) = query(db, loop, select(Alert))
    assert quiet.status == "silenced"
    assert query(db, loop, select(Outbox)) == []
    expired = tandem("silence", "expire", "--tenant", "acme", silence_id,
                     "--as", "sam@acme.example", env=env)
    assert expired.returncode == 0, expired.stderr
    assert expired.stdout.strip() == f"silence {silence_id} expired; 1 alert(s) came back"
    assert tandem("silence", "list", "--tenant", "acme", env=env).stdout.strip() == (
        "No active silences."
    )
    tandem(
        "alert",
        "send",
        "--tenant",
        "acme",
        "--title",
        "Backup failed",
        "--label",
        "service=backup",
        "--label",
        "step=2",
        "--url",
        base,
        env=env,
    )
    statuses = [a.status for a in query(db, loop, select(Alert).order_by(Alert.id))]
    assert statuses == ["open", "open"]  # the first came back when its silence was expired


def test_silence_rejects_bad_input(running):
    _, env, _, _ = running
    bad = tandem(
        "silence",
        "add",
        "--tenant",
        "acme",
        "--match",
        "nokey",
        "--for",
        "2h",
        "--reason",
        "x",
        "--as",
        "sam@acme.example",
        env=env,
    )
    assert bad.returncode == 1 and "'nokey' is not key=value" in bad.stderr
    unknown = tandem("silence", "expire", "--tenant", "acme", "99", "--as", "sam@acme.example",
                     env=env)
    assert unknown.returncode == 1 and unknown.stderr == "error: No silence 99 in Acme Ltd.\n"
