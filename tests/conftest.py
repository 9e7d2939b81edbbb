"""Shared fixtures: a migrated database per test on SQLite and PostgreSQL.

PostgreSQL is reached through TANDEM_TEST_PG_URL (default the local server). When it
is unreachable its tests are skipped loudly, unless TANDEM_TEST_PG=required (CI),
which turns the skip into a failure.
"""

import asyncio
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.config import load
from handlers.config.sync import sync
from handlers.enums import Severity
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn
from storage import migrate
from storage.db import Database, connect

DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("TANDEM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_REQUIRED = os.environ.get("TANDEM_TEST_PG") == "required"
_TEMPLATE = f"tandem_tpl_{uuid.uuid4().hex[:8]}"
_pg_state: dict = {}


def _pg_reachable() -> str | None:
    async def probe():
        conn = await asyncpg.connect(PG_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
        return None
    except Exception as error:  # any failure means "not reachable" for this probe
        return f"{type(error).__name__}: {error}"


def pytest_report_header(config):
    problem = _pg_reachable()
    _pg_state["problem"] = problem
    if problem:
        return [
            f"!!! PostgreSQL at {PG_URL} is UNREACHABLE ({problem}): "
            "its tests will be SKIPPED"
            + (" -> FAILED (TANDEM_TEST_PG=required)" if PG_REQUIRED else "")
        ]
    return [f"PostgreSQL: {PG_URL}"]


def _with_db(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _need_pg() -> None:
    if "problem" not in _pg_state:
        _pg_state["problem"] = _pg_reachable()
    problem = _pg_state["problem"]
    if problem:
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL required but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {problem}")


@pytest.fixture(scope="session")
def pg_template():
    _need_pg()

    async def build():
        await _admin(f"CREATE DATABASE {_TEMPLATE}")
        db = connect(_with_db(PG_URL, _TEMPLATE))
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(build())
    yield _TEMPLATE
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    return _sqlite_template(tmp_path_factory)


@pytest.fixture(scope="module")
def sqlite_template_module(tmp_path_factory):
    return _sqlite_template(tmp_path_factory)


@pytest.fixture(scope="module")
def cfg_module():
    return load(DATA / "config.yaml")


def _sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "template.db"

    async def build():
        db = connect(f"sqlite:///{path}")
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(build())
    return path


def _database_url(kind: str, request, tmp_path):
    """A freshly migrated, empty database URL of the given engine."""
    if kind == "sqlite":
        target = tmp_path / "tandem.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"tandem_t_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield _with_db(PG_URL, name)
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    yield from _database_url(request.param, request, tmp_path)


@pytest.fixture
def sqlite_url(request, tmp_path):
    yield from _database_url("sqlite", request, tmp_path)


@pytest.fixture
def pg_url(request, tmp_path):
    yield from _database_url("pg", request, tmp_path)


async def _synced(url: str, cfg) -> Database:
    database = connect(url)
    async with database.unit() as uow:
        await sync(uow, cfg)
    return database


@pytest.fixture
def cfg():
    return load(DATA / "config.yaml")


@pytest.fixture(autouse=True)
def _no_background_jobs(monkeypatch):
    """On the wall clock the scheduler would ping and send digests in unrelated tests;
    scheduler tests opt in with Settings(scheduler=True)."""
    monkeypatch.setenv("TANDEM_SCHEDULER", "false")


@pytest.fixture
async def db(db_url, cfg) -> Database:
    database = await _synced(db_url, cfg)
    yield database
    await database.dispose()


@pytest.fixture
async def sqlite_db(sqlite_url, cfg) -> Database:
    database = await _synced(sqlite_url, cfg)
    yield database
    await database.dispose()


@pytest.fixture
async def pg_db(pg_url, cfg) -> Database:
    database = await _synced(pg_url, cfg)
    yield database
    await database.dispose()


@pytest.fixture
async def replicas(db, db_url) -> list[Database]:
    """`db` as three processes would see it: three engines with their own pools."""
    others = [connect(db_url), connect(db_url)]
    yield [db, *others]
    for other in others:
        await other.dispose()


NOW = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)


async def new_alert(
    db: Database,
    cfg,
    tenant: str = "acme",
    *,
    severity: Severity = Severity.HIGH,
    key: str | None = None,
    title: str = "Disk full on db-1",
    source: str = "test",
    **labels,
) -> str:
    """Create an alert through intake and return its short id."""
    event = AlertIn(
        source=source,
        title=title,
        severity=severity,
        dedup_key=key or uuid.uuid4().hex,
        labels=labels,
    )
    async with db.unit() as unit:
        done = await ingest(unit, cfg, cfg.tenant(tenant), event, NOW)
    return done.alert


@pytest.fixture
def empty_pg_url():
    """A brand-new PostgreSQL database with no schema at all."""
    _need_pg()
    name = f"tandem_e_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    yield _with_db(PG_URL, name)
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
