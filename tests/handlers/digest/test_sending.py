"""Digests go out once per channel per local day: three runners, restarts, catch-up."""

import asyncio
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app
from handlers.digest import build
from handlers.digest.payload import from_payload
from storage.models import DigestSent
from storage.outbox_models import Outbox
from tests.conftest import DATA

from . import scenario

# Acme digests at 08:30 Europe/London: 08:30 UTC in winter, 07:30 UTC in summer.
WINTER_DUE = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
SUMMER_DUE = datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
CHANNELS = [("slack", "C0OPS"), ("teams", "19:ops@thread.tacv2")]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def _digests(db) -> list[Outbox]:
    async with db.unit() as uow:
        session = await uow.session()
        query = select(Outbox).where(Outbox.kind == "digest").order_by(Outbox.id)
        return list((await session.execute(query)).scalars())


async def _sent(db) -> list[DigestSent]:
    async with db.unit() as uow:
        session = await uow.session()
        return list((await session.execute(select(DigestSent))).scalars())


async def test_three_runners_send_each_channel_once(replicas, cfg):
    db = replicas[0]
    await scenario.load(db)
    runs = [build.send_due(r, cfg, "acme", WINTER_DUE) for r in replicas for _ in range(2)]
    assert sum(await asyncio.gather(*runs)) == 2
    found = await _digests(db)
    assert sorted((r.platform, r.channel) for r in found) == sorted(CHANNELS)
    view = from_payload(found[0].payload)
    assert (view.tenant_id, view.new, view.until) == ("acme", 6, WINTER_DUE)
    assert view.since == utc(2026, 11, 19, 8, 30)  # first digest: the day before
    assert Counter(s.local_date for s in await _sent(db)) == {date(2026, 11, 20): 2}
    # A restart in the send window runs the catch-up: nothing more goes out.
    assert await build.catch_up(db, cfg, utc(2026, 11, 20, 8, 31)) == 0


async def test_due_only_from_the_local_send_time_in_both_seasons(db, cfg):
    acme = cfg.tenant("acme")
    assert build.due_day(acme, utc(2026, 11, 20, 8, 29)) is None
    assert build.due_day(acme, WINTER_DUE) == date(2026, 11, 20)
    assert build.due_day(acme, utc(2026, 7, 1, 7, 29)) is None
    assert build.due_day(acme, SUMMER_DUE) == date(2026, 7, 1)
    assert build.due_day(cfg.tenant("globex"), WINTER_DUE) is None  # no digest configured
    assert await build.send_due(db, cfg, "acme", utc(2026, 11, 20, 8, 29)) == 0


async def test_a_fresh_install_sends_no_catch_up_digest(db, cfg):
    # First started at 15:00, after the day's send time: it missed nothing.
    assert await build.catch_up(db, cfg, utc(2026, 11, 20, 15)) == 0
    assert await _sent(db) == []
    assert await build.send_due(db, cfg, "acme", utc(2026, 11, 21, 8, 30)) == 2


async def test_missed_digest_goes_out_at_start_up_if_the_day_is_not_over(db, cfg):
    assert await build.send_due(db, cfg, "acme", utc(2026, 11, 19, 8, 30)) == 2
    # Down at 08:30; back at 15:00 the same day: the digest goes out then.
    assert await build.catch_up(db, cfg, utc(2026, 11, 20, 15)) == 2
    # Down for all of the 21st; back at 07:00 on the 22nd: the 21st is over, the 22nd not due.
    assert await build.catch_up(db, cfg, utc(2026, 11, 22, 7)) == 0
    assert await build.catch_up(db, cfg, utc(2026, 11, 22, 8, 30)) == 2
    days = sorted({s.local_date for s in await _sent(db)})
    assert days == [date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 22)]
    latest = from_payload((await _digests(db))[-1].payload)
    assert latest.since == utc(2026, 11, 20, 15)  # since the last digest actually sent


async def test_local_day_follows_the_tenant_zone(db, cfg):
    """23:30 UTC on 1 July is 00:30 BST on 2 July: before 08:30 there, so not due."""
    assert build.due_day(cfg.tenant("acme"), utc(2026, 7, 1, 23, 30)) is None


def test_cli_preview(sqlite_url, monkeypatch):
    monkeypatch.setenv("TANDEM_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TANDEM_CONFIG", str(DATA / "config.yaml"))
    shown = CliRunner().invoke(app, ["digest", "preview", "--tenant", "acme"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0] == "📊 Daily digest · Acme Ltd"
    assert "New: 0 · Resolved: 0 · Open now: 0" in shown.output
    unknown = CliRunner().invoke(app, ["digest", "preview", "--tenant", "nope"])
    assert unknown.exit_code == 1
    assert "error: Unknown tenant 'nope'; known: acme, globex." in unknown.output
