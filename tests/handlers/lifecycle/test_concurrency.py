"""Exactly one winner among many simultaneous claims, on SQLite and PostgreSQL."""

import asyncio

from sqlalchemy import text

from bot.intake.committer import Committer
from handlers.commands import Command, Identity, Outcome
from handlers.config.schema import Person, TandemConfig
from handlers.config.sync import sync
from handlers.enums import Role, Severity, Side, Verb
from handlers.intake.ingest import Effect
from handlers.intake.types import AlertIn
from handlers.lifecycle.dispatch import execute
from storage import audit
from storage.db import connect
from tests.conftest import new_alert
from tests.fixed import Fixed

CLAIMERS = 50


def _crowd(cfg: TandemConfig) -> TandemConfig:
    extra = [
        Person(
            email=f"r{i}@acme.example",
            name=f"Responder {i}",
            side=Side.PARTNER if i % 2 else Side.INTERNAL,
            roles=[Role.RESPONDER],
            tenants=["acme"],
        )
        for i in range(CLAIMERS)
    ]
    return cfg.model_copy(update={"people": [*cfg.people, *extra]})


async def test_fifty_concurrent_claims_have_one_winner(db, cfg):
    crowd = _crowd(cfg)
    async with db.unit() as uow:
        await sync(uow, crowd)
    alert = await new_alert(db, crowd)
    claims = [
        execute(db, crowd, Command(Verb.CLAIM, alert, Identity(email=f"r{i}@acme.example")))
        for i in range(CLAIMERS)
    ]
    results = await asyncio.gather(*claims)
    winners = [r for r in results if r.outcome is Outcome.DONE]
    assert len(winners) == 1
    owner = winners[0].view.owner
    losers = [r for r in results if r is not winners[0]]
    assert all(r.outcome is Outcome.CONFLICT for r in losers)
    holder = f"{owner.name} ({owner.side.value})"
    assert {r.message for r in losers} == {f"{alert} is already claimed by {holder}."}
    assert all(r.view.owner == owner for r in losers)
    checked = await audit.verify(db)
    assert checked.ok and checked.checked == 1 + CLAIMERS  # created, 1 claim, 49 refusals


async def test_concurrent_replays_of_one_click_apply_once(db, cfg):
    alert = await new_alert(db, cfg)
    cmd = Command(
        Verb.ESCALATE,
        alert,
        Identity(email="lee@acme.example"),
        idempotency_key="slack:1700000000.1:T0ACME:U0LEE",
    )
    results = await asyncio.gather(*[execute(db, cfg, cmd) for _ in range(10)])
    assert sorted(r.outcome.value for r in results) == ["done"] + ["replayed"] * 9
    assert {r.view.escalation_level for r in results} == {1}


async def test_postgresql_admits_writing_units_a_few_at_a_time(pg_url):
    db = connect(pg_url, pg_writers=2)
    inside, most = 0, 0

    async def unit() -> None:
        nonlocal inside, most
        async with db.unit() as uow:
            session = await uow.session()
            inside += 1
            most = max(most, inside)
            await session.execute(text("SELECT pg_sleep(0.02)"))
            inside -= 1

    try:
        await asyncio.gather(*(unit() for _ in range(8)))
        async with db.read() as a, db.read() as b:  # readers are not held back
            assert (await a.scalar(text("SELECT 1")), await b.scalar(text("SELECT 1"))) == (1, 1)
    finally:
        await db.dispose()
    assert most == 2


async def _drop_connections(db) -> None:
    """Have the server close every connection of `db`'s pool, as a restart does, after
    making sure the pool holds one."""
    async with db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    admin = connect(db.engine.url.set(database="postgres").render_as_string(False))
    try:
        async with admin.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"),
                               {"name": db.engine.url.database})
    finally:
        await admin.dispose()


async def test_commands_and_intake_survive_a_database_restart(pg_db, cfg):
    alert = await new_alert(pg_db, cfg)
    await _drop_connections(pg_db)
    claim = Command(Verb.CLAIM, alert, Identity(email="lee@acme.example"))
    assert (await execute(pg_db, cfg, claim)).outcome is Outcome.DONE
    await _drop_connections(pg_db)
    event = AlertIn(source="test", title="Disk full", severity=Severity.HIGH, dedup_key="k9")
    [ingested] = await Committer(pg_db, Fixed(cfg)).submit("acme", [event])
    assert ingested.effect is Effect.CREATED


async def test_fifty_clicks_on_one_card_tell_each_loser_who_won(db, cfg):
    """Clicks carry the card's state version: the losers' cards went stale when the
    winner claimed, yet each is told who holds the alert, not that the card is stale."""
    crowd = _crowd(cfg)
    async with db.unit() as uow:
        await sync(uow, crowd)
    alert = await new_alert(db, crowd)
    clicks = [
        execute(db, crowd, Command(Verb.CLAIM, alert, Identity(email=f"r{i}@acme.example"),
                                   seen_version=1))
        for i in range(CLAIMERS)
    ]
    results = await asyncio.gather(*clicks)
    [winner] = [r for r in results if r.outcome is Outcome.DONE]
    owner = winner.view.owner
    losers = [r for r in results if r is not winner]
    assert {(r.outcome, r.message) for r in losers} == {
        (Outcome.CONFLICT, f"{alert} was just claimed by {owner.name} ({owner.side.value}).")}
