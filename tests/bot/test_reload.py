"""Live reload: publishing a configuration file makes a new version (only when it
differs), a bad file changes nothing, and every replica of the database converges on
the version in force, from the database, whatever its own file says. On SQLite and
PostgreSQL."""

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.config import ConfigError, Settings
from bot.intake.auth import Credentials
from bot.published import in_force, latest_version
from bot.reload import Watcher, publish_file
from bot.runtime import Runtime, open_runtime
from bot.scheduler import SCHEDULER, attach
from storage.models import ConfigVersion, Membership
from tests.bot.intake.conftest import TOKENS
from tests.bot.reload_files import DANA, bad, config_text, without_dana, write

PROM = "      - {id: prom, kind: alertmanager, token_env: TANDEM_TEST_ACME_PROM}\n"
DIGEST = '    digest: {at: "08:30"}\n'


async def _runtime(db_url: str, path, publisher: str | None = "replica-a") -> Runtime:
    return await open_runtime(Settings(database_url=db_url, config=path), publisher=publisher)


async def _memberships(runtime: Runtime, email: str) -> list[str]:
    async with runtime.db.read() as session:
        query = select(Membership.tenant_id).where(Membership.person_email == email)
        return sorted((await session.execute(query)).scalars())


async def test_publishing_makes_a_version_only_when_the_file_changed(db_url, tmp_path):
    path = write(tmp_path / "tandem.yaml", config_text())
    runtime = await _runtime(db_url, path)
    try:
        assert runtime.version == 1
        again = await publish_file(runtime.db, path, "cli")
        assert (again.version, again.new) == (1, False)
        write(path, without_dana())
        changed = await publish_file(runtime.db, path, "cli")
        assert (changed.version, changed.new) == (2, True)
        async with runtime.db.read() as session:
            rows = (await session.execute(select(ConfigVersion))).scalars().all()
        assert [(r.version, r.published_by) for r in rows] == [(1, "replica-a"), (2, "cli")]
        assert all(len(r.sha256) == 64 for r in rows) and rows[0].sha256 != rows[1].sha256
        # the directory is mirrored in the same unit of work: Dana belongs nowhere now
        assert await _memberships(runtime, DANA) == []
        version, cfg = await in_force(runtime.db)
        assert version == 2 and cfg.person(DANA) is None
        # a date in the YAML (an on-call rotation's start) is stored as its ISO text
        assert rows[1].document["tenants"][0]["schedules"][0]["rotation"]["start"] == "2026-01-05"
    finally:
        await runtime.close()


async def test_a_bad_file_is_refused_with_its_problems_and_nothing_changes(db_url, tmp_path):
    path = write(tmp_path / "tandem.yaml", config_text())
    runtime = await _runtime(db_url, path)
    try:
        write(path, bad())
        with pytest.raises(ConfigError) as refused:
            await publish_file(runtime.db, path, "cli")
        assert refused.value.problems == [
            "tenants[0].code: must be 2 to 16 capital letters or digits, starting with a letter",
            "people[3].side: must be internal or partner",
        ]
        assert await latest_version(runtime.db) == 1
        assert await _memberships(runtime, DANA) == ["acme", "globex"]
        await Watcher(runtime).reload()  # SIGHUP with the bad file: logged, kept
        assert runtime.version == 1 and runtime.cfg.person(DANA) is not None
    finally:
        await runtime.close()


async def test_replicas_converge_on_the_published_document_not_their_files(db_url, tmp_path):
    mine = write(tmp_path / "a.yaml", config_text())
    stale = write(tmp_path / "b.yaml", config_text())  # replica b's file is never edited
    a, b = await _runtime(db_url, mine), await _runtime(db_url, stale, "replica-b")
    try:
        assert (a.version, b.version) == (1, 1)  # b published the same document: no version
        cli = await _runtime(db_url, write(tmp_path / "c.yaml", without_dana()), None)
        assert cli.version == 1 and cli.cfg.person(DANA) is not None  # commands adopt it
        await cli.close()
        done = await publish_file(a.db, write(tmp_path / "c.yaml", without_dana()), "cli")
        for replica in (a, b):
            assert replica.cfg.person(DANA) is not None
            await Watcher(replica).check()
            assert replica.version == done.version == 2
            assert replica.cfg.person(DANA) is None
    finally:
        await a.close()
        await b.close()


async def test_a_swap_reaches_intake_credentials_and_tenant_jobs(db_url, tmp_path, monkeypatch):
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    path = write(tmp_path / "tandem.yaml", config_text())
    runtime = await open_runtime(Settings(database_url=db_url, config=path, scheduler=True,
                                          escalation_tick_seconds=3600), publisher="a")
    app = web.Application()
    attach(app, runtime)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        credentials, jobs = Credentials(runtime), app[SCHEDULER]
        assert credentials.grant(TOKENS["TANDEM_TEST_ACME_PROM"]) is not None
        assert "digest.acme" in jobs.ids
        text = without_dana().replace(PROM, "").replace(DIGEST, "")
        await publish_file(runtime.db, write(path, text), "cli")
        await Watcher(runtime).check()
        assert credentials.grant(TOKENS["TANDEM_TEST_ACME_PROM"]) is None  # removed integration
        assert credentials.grant(TOKENS["TANDEM_TEST_ACME_TOKEN"]) is not None
        assert "digest.acme" not in jobs.ids
        assert {"digest.globex", "escalation.tick"} & set(jobs.ids) == {"escalation.tick"}
    finally:
        await runner.cleanup()
        await runtime.close()
