"""The hash chain: intact logs verify, tampering is named, PostgreSQL refuses edits."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from handlers.commands import Command, Identity
from handlers.enums import Verb
from handlers.service import execute
from storage import audit
from tests.conftest import new_alert

LEE = Identity(email="lee@acme.example")


async def _history(db, cfg) -> str:
    alert = await new_alert(db, cfg)
    for verb in (Verb.CLAIM, Verb.ESCALATE, Verb.RESOLVE):
        await execute(db, cfg, Command(verb, alert, LEE))
    await new_alert(db, cfg, "globex")
    return alert


async def _raw(db, sql: str) -> None:
    async with db.transaction() as session:
        await session.execute(text(sql))


async def test_intact_chain_verifies_per_tenant(db, cfg):
    await _history(db, cfg)
    everything = await audit.verify(db)
    assert everything.ok and everything.checked == 5
    globex = await audit.verify(db, "globex")
    assert globex.ok and globex.checked == 1


async def test_sqlite_tamper_is_named(sqlite_db, cfg):
    db = sqlite_db
    await _history(db, cfg)
    await _raw(
        db,
        "UPDATE audit_event SET actor = 'mallory@evil.example' "
        "WHERE tenant_id = 'acme' AND seq = 3",
    )
    result = await audit.verify(db)
    assert not result.ok
    assert (result.broken.tenant_id, result.broken.seq) == ("acme", 3)
    assert "altered" in str(result.broken)


async def test_sqlite_deleted_row_and_tail_are_named(sqlite_db, cfg):
    db = sqlite_db
    await _history(db, cfg)
    await _raw(db, "DELETE FROM audit_event WHERE tenant_id = 'acme' AND seq = 4")
    tail = await audit.verify(db)
    assert (tail.broken.seq, tail.ok) == (4, False)
    await _raw(db, "DELETE FROM audit_event WHERE tenant_id = 'acme' AND seq = 2")
    middle = await audit.verify(db)
    assert middle.broken.seq == 3 and "out of sequence" in middle.broken.reason


async def test_postgres_trigger_refuses_update_and_delete(pg_db, cfg):
    db = pg_db
    await _history(db, cfg)
    for sql in (
        "UPDATE audit_event SET actor = 'x' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            await _raw(db, sql)
    assert (await audit.verify(db)).ok


async def test_export_streams_events_since(db, cfg):
    await _history(db, cfg)
    rows = [row async for row in audit.events(db, "acme")]
    assert [r["verb"] for r in rows] == ["created", "claim", "escalate", "resolve"]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4]
    assert rows[1]["prev_hash"] == rows[0]["hash"]
