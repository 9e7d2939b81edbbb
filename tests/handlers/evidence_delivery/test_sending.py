"""The monthly report is queued once per channel on the first local day of the month, its
PDF generated and stored once, on SQLite and PostgreSQL, however many replicas run."""

import asyncio
import hashlib
import json

import pytest

from handlers.config.oncall import Digest
from handlers.evidence import delivery
from tests.conftest import NOW

from .helpers import CHANNELS, DUE, PDF, Maker, alert_at, files, report_rows, sent, utc


def test_due_on_the_first_local_day_from_the_send_time(cfg):
    acme, globex = cfg.tenant("acme"), cfg.tenant("globex")
    assert delivery.due_month(acme, utc(2026, 12, 1, 8, 29)) is None
    assert delivery.due_month(acme, DUE) == "2026-11"
    assert delivery.due_month(acme, utc(2026, 12, 1, 23, 59)) == "2026-11"
    assert delivery.due_month(acme, utc(2026, 12, 2, 8, 30)) is None
    assert delivery.due_month(acme, utc(2027, 1, 1, 8, 30)) == "2026-12"
    assert delivery.due_month(acme, utc(2026, 7, 1, 7, 30)) == "2026-06"  # 08:30 BST
    assert delivery.due_month(acme, utc(2026, 7, 31, 23, 30)) is None  # 00:30 BST on 1 Aug
    # Globex has no digest: 08:00 in New York, 13:00 UTC in winter.
    assert delivery.due_month(globex, utc(2026, 12, 1, 12, 59)) is None
    assert delivery.due_month(globex, utc(2026, 12, 1, 13)) == "2026-11"
    assert delivery.due_month(globex, utc(2026, 12, 1, 3)) is None  # still 30 Nov there


def test_the_digest_channels_get_the_report(cfg):
    acme = cfg.tenant("acme")
    assert [(c.platform, c.channel) for c in delivery.report_channels(acme)] == CHANNELS
    only_slack = acme.model_copy(update={"digest": Digest(at="08:30", channels=["C0OPS"])})
    assert [c.channel for c in delivery.report_channels(only_slack)] == ["C0OPS"]


async def test_queued_once_per_channel_naming_the_file_stored_once(db, cfg):
    await alert_at(db, cfg, NOW)
    maker = Maker()
    assert await delivery.send_due(db, cfg, "acme", DUE, maker) == 2
    [stored] = await files(db)
    assert (stored.tenant_id, stored.month, stored.content) == ("acme", "2026-11", PDF)
    assert (stored.size, stored.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    queued = await report_rows(db)
    assert sorted((r.platform, r.channel) for r in queued) == CHANNELS
    assert [r.payload for r in queued] == [{"report": stored.id, "month": "2026-11"}] * 2
    assert all(len(json.dumps(r.payload)) < 100 for r in queued)  # never the bytes
    assert sorted((s.platform, s.channel, s.report_id) for s in await sent(db)) == [
        (p, c, stored.id) for p, c in CHANNELS]
    # Later runs that day (the hourly cron, a catch-up) find every channel served.
    assert await delivery.send_due(db, cfg, "acme", utc(2026, 12, 1, 9, 30), maker) == 0
    assert await delivery.catch_up(db, cfg, utc(2026, 12, 1, 15), maker) == 0
    assert maker.calls == [("acme", "2026-11")]


async def test_a_fresh_install_reports_no_month_it_never_ran(db, cfg):
    maker = Maker()
    # Installed on 1 December and started at 10:00, after the send time: no audit yet.
    assert await delivery.catch_up(db, cfg, utc(2026, 12, 1, 10), maker) == 0
    # Its first alert comes in at 10:05; the 11:30 run still reports no November.
    await alert_at(db, cfg, utc(2026, 12, 1, 10, 5))
    assert await delivery.send_due(db, cfg, "acme", utc(2026, 12, 1, 11, 30), maker) == 0
    assert maker.calls == [] and await files(db) == []
    # December it ran: its report goes out on 1 January.
    assert await delivery.send_due(db, cfg, "acme", utc(2027, 1, 1, 8, 30), maker) == 2
    assert maker.calls == [("acme", "2026-12")]


async def test_catch_up_sends_a_missed_report_on_the_first_day_only(db, cfg):
    await alert_at(db, cfg, NOW)
    maker = Maker()
    # Down on 1 December; back on the 2nd: the day is over, nothing goes out.
    assert await delivery.catch_up(db, cfg, utc(2026, 12, 2, 9), maker) == 0
    # Down at 08:30 on 1 December, back at 15:00: the report goes out then.
    assert await delivery.catch_up(db, cfg, utc(2026, 12, 1, 15), maker) == 2
    assert maker.calls == [("acme", "2026-11")]  # Globex has no audit log: no report


async def test_replicas_queue_each_channel_once_and_keep_one_file(replicas, cfg):
    db = replicas[0]
    await alert_at(db, cfg, NOW)
    maker = Maker(delay=0.2)  # every runner generates before any stores: the race is real
    runs = [delivery.send_due(r, cfg, "acme", DUE, maker) for r in replicas for _ in range(2)]
    assert sum(await asyncio.gather(*runs)) == 2
    [stored] = await files(db)
    assert len(maker.calls) > 1  # several generated; one file was kept
    assert sorted((r.platform, r.channel) for r in await report_rows(db)) == CHANNELS
    assert {r.payload["report"] for r in await report_rows(db)} == {stored.id}
    assert len(await sent(db)) == 2


async def test_a_failed_generation_queues_nothing_and_the_next_run_retries(db, cfg):
    await alert_at(db, cfg, NOW)
    broken = Maker(fails=1)
    with pytest.raises(RuntimeError):
        await delivery.send_due(db, cfg, "acme", DUE, broken)
    assert await files(db) == [] and await report_rows(db) == []
    not_pdf = Maker(pdf=b"<html>")
    with pytest.raises(ValueError, match="the report of acme for 2026-11 is not a PDF"):
        await delivery.send_due(db, cfg, "acme", DUE, not_pdf)
    assert await delivery.send_due(db, cfg, "acme", utc(2026, 12, 1, 9, 30), broken) == 2
