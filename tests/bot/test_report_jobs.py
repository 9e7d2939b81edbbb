"""The monthly report's jobs: a cron per tenant on the first of the month in its time zone,
hourly from the send time until the day ends, and a catch-up when a replica takes the lead;
none of them without a PDF maker. Settings for its download links."""

import asyncio
from datetime import UTC, datetime

import pytest
import typer
from aiohttp import web
from pydantic import SecretStr

from bot.cli.support import settings as cli_settings
from bot.config import Settings
from bot.report_links import from_settings
from bot.runtime import Runtime
from bot.scheduler import SCHEDULER, Jobs, attach, register_jobs, register_tenant_jobs
from tests.conftest import NOW
from tests.handlers.evidence_delivery.helpers import DUE, Maker, alert_at, report_rows


def _runtime(db, cfg, **settings) -> Runtime:
    return Runtime(Settings(**settings), cfg, db)


def _fires(jobs: Jobs, job_id: str, after: datetime) -> datetime:
    trigger = jobs.scheduler.get_job(job_id).trigger
    return trigger.get_next_fire_time(None, after).astimezone(UTC)


def test_a_cron_per_tenant_on_the_first_of_the_month_local_time(sqlite_db, cfg):
    jobs = Jobs(clock=lambda: NOW)
    register_jobs(jobs, _runtime(sqlite_db, cfg), make_pdf=Maker())
    assert {"report.acme", "report.globex", "report.catch-up"} <= set(jobs.ids)
    assert _fires(jobs, "report.acme", NOW) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    after_first = datetime(2026, 12, 1, 8, 31, tzinfo=UTC)
    assert _fires(jobs, "report.acme", after_first) == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    last_of_day = datetime(2026, 12, 1, 23, 31, tzinfo=UTC)
    assert _fires(jobs, "report.acme", last_of_day) == datetime(2027, 1, 1, 8, 30, tzinfo=UTC)
    june = datetime(2026, 6, 15, tzinfo=UTC)  # 08:30 BST
    assert _fires(jobs, "report.acme", june) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    # Globex has no digest: 08:00 in New York.
    assert _fires(jobs, "report.globex", NOW) == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    # A reload without Globex drops its report job and keeps the catch-up.
    acme_only = cfg.model_copy(update={"tenants": [cfg.tenant("acme")]})
    register_tenant_jobs(jobs, _runtime(sqlite_db, acme_only), (), Maker())
    assert "report.globex" not in jobs.ids and "report.catch-up" in jobs.ids


def test_no_report_jobs_without_a_pdf_maker(sqlite_db, cfg):
    jobs = Jobs(clock=lambda: NOW)
    register_jobs(jobs, _runtime(sqlite_db, cfg))
    assert not [j for j in jobs.ids if j.startswith("report.")]


async def test_the_replica_taking_the_lead_catches_up_the_report(sqlite_db, cfg):
    await alert_at(sqlite_db, cfg, NOW)
    maker = Maker()
    app = web.Application()
    attach(app, _runtime(sqlite_db, cfg, scheduler=True, escalation_tick_seconds=3600),
           clock=lambda: DUE.replace(hour=10), make_pdf=maker)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        assert "report.acme" in app[SCHEDULER].ids
        for _ in range(500):
            if len(await report_rows(sqlite_db)) == 2:
                break
            await asyncio.sleep(0.01)
    finally:
        await runner.cleanup()
    assert len(await report_rows(sqlite_db)) == 2 and maker.calls == [("acme", "2026-11")]


def test_link_settings_are_checked_and_need_both(monkeypatch, capsys):
    assert from_settings(Settings(public_url="https://t.example/")) is None
    assert from_settings(Settings(link_secret=SecretStr("s" * 32))) is None
    links = from_settings(Settings(public_url="https://t.example/", link_secret="s" * 32,
                                   report_link_days=3))
    assert links is not None and links.public_url == "https://t.example"
    assert links.valid.days == 3
    monkeypatch.setenv("TANDEM_PUBLIC_URL", "tandem.example")
    monkeypatch.setenv("TANDEM_LINK_SECRET", "short-secret")
    with pytest.raises(typer.Exit):
        cli_settings()
    said = capsys.readouterr().err
    assert ("TANDEM_PUBLIC_URL: Value error, must be an http(s) address such as "
            "https://tandem.example.com\n") in said
    assert "TANDEM_LINK_SECRET: Value error, must be at least 32 characters" in said
    assert "short-secret" not in said


def test_links_expire_after_their_second():
    links = from_settings(Settings(public_url="https://t.example", link_secret="s" * 32))
    now = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    url, expires = links.url("A" * 32, now)
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    assert links.refusal("A" * 32, query["expires"], query["sig"], expires) is None
    later = datetime.fromtimestamp(expires.timestamp() + 1, UTC)
    assert links.refusal("A" * 32, query["expires"], query["sig"], later) is not None
    other = from_settings(Settings(public_url="https://t.example", link_secret="t" * 32))
    assert other.refusal("A" * 32, query["expires"], query["sig"], now) is not None
