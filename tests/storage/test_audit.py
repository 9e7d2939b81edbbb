"""The hash chain: intact logs verify, tampering is named, PostgreSQL refuses edits."""

import hashlib
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from handlers.commands import Command, Identity
from handlers.enums import Verb
from handlers.lifecycle.dispatch import execute
from storage import audit
from tests.conftest import NOW, new_alert

LEE = Identity(email="lee@acme.example")


async def _history(db, cfg) -> str:
    alert = await new_alert(db, cfg)
    for verb in (Verb.CLAIM, Verb.ESCALATE, Verb.RESOLVE):
        await execute(db, cfg, Command(verb, alert, LEE))
    await new_alert(db, cfg, "globex")
    return alert


async def _raw(db, sql: str) -> None:
    async with db.unit() as uow:
        session = await uow.session()
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


# Details of every JSON kind, including those orjson writes or reads differently from the
# standard library: floats in exponent form, integers beyond 64 bits, non-ASCII text.
DETAILS = [
    {"text": "café ☕ 東京 😀", "quote": 'says "hi"\n\ttab \\ \u2028', "é": 1, "z": 2},
    {"nested": {"b": [1, -2, 3.5, None, True, {"deep": []}], "a": {"z": 0.1, "tiny": 1e-05}}},
    {"n": 0, "big": 2**70, "min": -(2**63), "subnormal": 5e-324, "huge": 1.5e300},
    {},
]
_LEGACY = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _legacy_hash(row) -> str:
    """The hash as chains were first written: standard-library canonical JSON."""
    body = {k: row[k] for k in audit.EXPORTED if k != "hash"}
    body["at"] = row["at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return hashlib.sha256(_LEGACY.encode(body).encode()).hexdigest()


async def _log_every_kind(db) -> None:
    entry = {"at": NOW, "actor": "lee@acme.example", "verb": "comment"}
    async with db.unit() as uow:
        uow.audit("acme", [{**entry, "details": DETAILS[0]}])
        uow.audit("acme", [{**entry, "details": d} for d in DETAILS[1:]])


async def test_details_of_every_kind_hash_as_before_and_verify(db):
    await _log_every_kind(db)
    rows = [row async for row in audit.events(db, "acme")]
    assert [row["details"] for row in rows] == DETAILS
    assert [row["hash"] for row in rows] == [_legacy_hash(row) for row in rows]
    result = await audit.verify(db, "acme")
    assert result.ok and result.checked == len(DETAILS)


async def test_a_changed_big_integer_is_named(db):
    """2**70 and 2**70 + 1 are the same float: reading them as floats would miss this."""
    await _log_every_kind(db)
    tampered = json.dumps({**DETAILS[2], "big": 2**70 + 1})
    async with db.unit() as uow:
        session = await uow.session()
        if db.dialect == "postgresql":  # step past the append-only trigger, as an owner could
            await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text(
            f"UPDATE audit_event SET details = '{tampered}' WHERE tenant_id = 'acme' AND seq = 3"
        ))
    result = await audit.verify(db, "acme")
    assert (result.ok, result.checked, result.broken.seq) == (False, 3, 3)
    assert "altered" in result.broken.reason
