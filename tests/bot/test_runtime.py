"""Replicas started at the same moment on one fresh database all come up: migrations
and the configuration's mirror run one at a time (storage/migrate.one_at_a_time)."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.runtime import open_runtime
from storage import migrate
from storage.db import connect
from storage.models import Membership
from tests.conftest import DATA, PG_URL, _admin, _with_db


async def test_three_replicas_starting_together_on_an_empty_database(pg_template):
    name = f"tandem_start_{uuid.uuid4().hex[:10]}"
    await _admin(f"CREATE DATABASE {name}")
    settings = Settings(database_url=_with_db(PG_URL, name), config=DATA / "config.yaml")
    try:
        starting = asyncio.gather(*(open_runtime(settings) for _ in range(3)),
                                  return_exceptions=True)
        runtimes = await asyncio.wait_for(starting, 60)  # unserialised, they can deadlock
        assert [r for r in runtimes if isinstance(r, BaseException)] == []
        db = runtimes[0].db
        assert await migrate.current_revision(db) == migrate.head_revision()
        async with db.read() as session:
            count = (await session.execute(select(func.count()).select_from(Membership)))
            assert count.scalar_one() == sum(len(p.tenants) for p in runtimes[0].cfg.people)
        for runtime in runtimes:
            await runtime.close()
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


TANDEM = Path(sys.executable).with_name("tandem")
ROOT = Path(__file__).resolve().parents[2]  # the code under test, not only the installed


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def empty_url(request, tmp_path):
    """A database nothing has touched: a SQLite file not yet created, or a new
    PostgreSQL database (created and dropped by `empty_pg_url`)."""
    if request.param == "pg":
        return request.getfixturevalue("empty_pg_url")
    return f"sqlite:///{tmp_path}/fresh.db"


def _wait_listening(server: subprocess.Popen) -> str:
    """The output of a `tandem serve` up to its 'listening' line (or its end)."""
    seen = []
    for line in server.stdout or ():
        seen.append(line)
        if "tandem listening on" in line:
            break
    return "".join(seen)


def test_upgrades_and_servers_started_together_on_an_empty_database_all_succeed(empty_url):
    env = {**os.environ, "TANDEM_DATABASE_URL": empty_url,
           "TANDEM_CONFIG": str(DATA / "config.yaml"), "PYTHONPATH": str(ROOT)}
    run = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "env": env}
    upgrades = [subprocess.Popen([str(TANDEM), "db", "upgrade"], **run) for _ in range(2)]
    servers = [subprocess.Popen([str(TANDEM), "serve", "--port", "0"], **run) for _ in range(2)]
    try:
        for server in servers:
            said = _wait_listening(server)
            assert "tandem listening on http://127.0.0.1:" in said, said
        for upgrade in upgrades:
            said = upgrade.communicate(timeout=60)[0]
            assert upgrade.returncode == 0, said
            assert said.endswith(f"database at schema {migrate.head_revision()}\n"), said
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        stopped = [server.wait(timeout=30) for server in servers]
    assert stopped == [0, 0]


async def test_on_sqlite_one_start_waits_for_another_on_a_lock_beside_the_file(tmp_path):
    first, second = (connect(f"sqlite:///{tmp_path}/t.db") for _ in range(2))
    try:
        async with migrate.one_at_a_time(first):
            assert (tmp_path / "t.db.lock").exists()
            waiting = asyncio.ensure_future(_enter(second))
            done, _ = await asyncio.wait([waiting], timeout=0.5)
            assert not done  # held by the first
        await asyncio.wait_for(waiting, 10)  # and taken once it is released
    finally:
        await first.dispose()
        await second.dispose()


async def _enter(db) -> None:
    async with migrate.one_at_a_time(db):
        pass
