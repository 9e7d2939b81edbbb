"""Daily signed checkpoints: one a tenant a local day however many replicas try, and a
rewritten, re-hashed log with its head moved is caught by the checkpoints, stored or
pasted from chat, on SQLite and PostgreSQL."""

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from cards.checkpoint import render_text
from handlers.evidence import (
    checkpoint_from_payload,
    checkpoints_catch_up,
    generate_key,
    make_checkpoint,
    parse_checkpoints,
    verified_summary,
    verify_audit,
)
from handlers.evidence.checkpoints import due_day
from storage import audit, checkpoints
from storage.outbox_models import Outbox
from tests.conftest import new_alert

from .history import DAY1, DAY2, two_checkpoints
from .tamper import drop_tail, execute, rewrite


@pytest.fixture(scope="module")
def key():
    return generate_key()


async def _posted(db) -> list[Outbox]:
    async with db.read() as session:
        query = select(Outbox).where(Outbox.kind == "checkpoint").order_by(Outbox.id)
        return list((await session.execute(query)).scalars())


async def test_one_a_day_however_many_replicas_try(replicas, cfg, key):
    db = replicas[0]
    await new_alert(db, cfg)
    runs = [make_checkpoint(r, cfg, key, "acme", DAY1) for r in replicas for _ in range(2)]
    [made] = [m for m in await asyncio.gather(*runs) if m is not None]
    assert (made.tenant_id, made.seq, made.at, made.key_id) == ("acme", 1, DAY1, key.public.id)
    assert made.valid(key.public)
    rows = await _posted(db)
    assert sorted((r.platform, r.channel) for r in rows) == [
        ("slack", "C0OPS"), ("teams", "19:ops@thread.tacv2")]
    assert {checkpoint_from_payload(r.payload).checkpoint for r in rows} == {made}
    # A restart in the window runs the catch-up: nothing more (globex has no events).
    assert await checkpoints_catch_up(db, cfg, key, DAY1 + timedelta(minutes=1)) == 0
    await new_alert(db, cfg)
    later = await make_checkpoint(db, cfg, key, "acme", DAY2 + timedelta(seconds=7.5))
    assert (later.seq, later.at) == (2, DAY2 + timedelta(seconds=7))  # whole seconds
    async with db.read() as session:
        month = await checkpoints.in_range(session, "acme", DAY1, DAY2 + timedelta(days=1))
        first_day = await checkpoints.in_range(session, "acme", DAY1, DAY2)
    assert [(c.seq, c.at, c.local_date) for c in month] == [
        (1, DAY1, date(2026, 11, 21)), (2, later.at, date(2026, 11, 22))]
    assert [c.seq for c in first_day] == [1]


async def test_due_at_the_digest_time_or_just_after_local_midnight(db, cfg, key):
    acme, globex = cfg.tenant("acme"), cfg.tenant("globex")
    assert due_day(acme, DAY1 - timedelta(minutes=1)) is None
    assert due_day(acme, DAY1) == date(2026, 11, 21)
    # globex has no digest: 00:05 in New York (05:05 UTC in November).
    assert due_day(globex, datetime(2026, 11, 21, 5, 4, tzinfo=UTC)) is None
    assert due_day(globex, datetime(2026, 11, 21, 5, 5, tzinfo=UTC)) == date(2026, 11, 21)
    await new_alert(db, cfg, "globex")
    assert await make_checkpoint(db, cfg, key, "acme", DAY1) is None  # acme logged nothing
    early = datetime(2026, 11, 21, 5, 4, tzinfo=UTC)
    assert await make_checkpoint(db, cfg, key, "globex", early) is None
    made = await make_checkpoint(db, cfg, key, "globex", early + timedelta(minutes=1))
    assert (made.tenant_id, made.seq) == ("globex", 1)
    assert [r.channel for r in await _posted(db)] == ["C0ALERTS"]


REWRITTEN = ("tenant acme: audit event #8 no longer matches the checkpoint of 2026-11-22 "
             "08:30 UTC: the log was rewritten at or before it (after #4, the last checkpoint "
             "still matching)")


async def test_a_rewrite_after_a_checkpoint_is_caught_by_the_stored_checkpoints(db, cfg, key):
    await two_checkpoints(db, cfg, key)
    await rewrite(db, "acme", 6, {"text": "nothing to see"})
    assert (await audit.verify(db)).ok  # the chain alone is fooled
    found = await verify_audit(db, None, [], [key.public])
    assert not found.ok and found.problems == []
    assert str(found.verification.broken) == REWRITTEN
    assert found.verification.anchored == 1


async def test_a_rewrite_is_caught_by_checkpoints_pasted_from_chat(db, cfg, key):
    await two_checkpoints(db, cfg, key)
    chat = "\n\n".join(f"Tandem  APP  9:30 AM\n{render_text(checkpoint_from_payload(r.payload))}"
                       for r in await _posted(db) if r.platform == "slack")
    await rewrite(db, "acme", 6, {"text": "nothing to see"})
    await execute(db, "DELETE FROM audit_checkpoint")  # Tandem's own copies go too
    blind = await verify_audit(db, None, [], [key.public])
    assert blind.ok and blind.stored == 0
    pasted = parse_checkpoints(chat)
    assert [cp.seq for cp in pasted] == [4, 8]
    found = await verify_audit(db, "acme", pasted, [key.public])
    assert str(found.verification.broken) == REWRITTEN


async def test_a_rewrite_before_the_first_checkpoint_is_caught_at_it(db, cfg, key):
    await two_checkpoints(db, cfg, key)
    await rewrite(db, "acme", 2, {"text": "nothing to see"})
    early = await verify_audit(db, None, [], [key.public])
    assert str(early.verification.broken) == (
        "tenant acme: audit event #4 no longer matches the checkpoint of 2026-11-21 08:30 UTC: "
        "the log was rewritten at or before it (no earlier checkpoint to narrow it down)")


async def test_a_tail_cut_back_behind_a_checkpoint_is_caught(db, cfg, key):
    await two_checkpoints(db, cfg, key)
    await drop_tail(db, "acme", 6)
    assert (await audit.verify(db)).ok
    found = await verify_audit(db, None, [], [key.public])
    assert str(found.verification.broken) == (
        "tenant acme: audit event #8 is missing: the log ends at #6, before the checkpoint of "
        "2026-11-22 08:30 UTC (after #4, the last checkpoint still matching)")


async def test_a_checkpoint_altered_to_match_is_reported_forged(db, cfg, key):
    await two_checkpoints(db, cfg, key)
    await rewrite(db, "acme", 6, {"text": "nothing to see"})
    async with db.engine.connect() as conn:
        rewritten = (await conn.execute(text(
            "SELECT hash FROM audit_event WHERE tenant_id = 'acme' AND seq = 8"))).scalar_one()
    await execute(db, "UPDATE audit_checkpoint SET hash = :h WHERE seq = 8", h=rewritten)
    found = await verify_audit(db, None, [], [key.public])
    assert found.verification.ok and not found.ok  # the altered one is not used
    assert found.problems == ["tenant acme: the stored checkpoint of 2026-11-22 08:30 UTC (#8) "
                              "has a bad signature: it is forged or was altered"]


async def test_checkpoints_of_another_key_are_not_trusted(db, cfg, key):
    await two_checkpoints(db, cfg, key)
    other = generate_key().public
    found = await verify_audit(db, "acme", [], [other])
    assert found.problems == [
        f"tenant acme: the stored checkpoint of 2026-11-2{d} 08:30 UTC (#{s}) was signed by key "
        f"{key.public.id}, not by the key given ({other.id})" for d, s in ((1, 4), (2, 8))]


async def test_summary_says_what_was_checked(db, cfg, key):
    first, second = await two_checkpoints(db, cfg, key)
    both = await verify_audit(db, None, [first], [key.public])
    assert verified_summary(both, [key.public]) == (
        f"audit log intact: 10 events verified; it matches 2 checkpoints (2 stored, 1 pasted), "
        f"signatures checked with key {key.public.id}")
    unsigned = await verify_audit(db, None, [], [])
    assert verified_summary(unsigned, []).endswith(
        "their signatures were NOT checked: no key (set TANDEM_SIGNING_KEY_FILE or give --key)")


async def test_pasted_checkpoints_of_a_tenant_without_a_chain_are_reported(db, cfg, key):
    first, _ = await two_checkpoints(db, cfg, key)
    stray = replace(first, tenant_id="initech")
    found = await verify_audit(db, None, [stray], [])
    assert found.verification.ok and found.problems == [
        "tenant initech: there is no audit chain of that name, yet checkpoints of it were pasted"]
