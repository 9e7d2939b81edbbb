"""The committer's grouping: requests that arrive together commit in one transaction,
and under load a group waits a moment for the clients it just answered to come back."""

import asyncio

from sqlalchemy import event

from bot.intake.committer import Committer
from handlers.enums import Severity
from handlers.intake.ingest import Effect
from handlers.intake.types import AlertIn
from tests.fixed import Fixed


def _event(key: str) -> AlertIn:
    return AlertIn(source="test", title=f"Disk full {key}", severity=Severity.HIGH,
                   dedup_key=key)


def _committer(db, cfg, linger: float) -> tuple[Committer, list[int]]:
    """A committer, and the transactions committed on its database from now on."""
    commits: list[int] = []

    @event.listens_for(db.engine.sync_engine, "commit")
    def committed(_conn):
        commits.append(1)

    return Committer(db, Fixed(cfg), linger=linger), commits


async def _burst(committer: Committer, keys: list[str]) -> list[Effect]:
    done = await asyncio.gather(*(committer.submit("acme", [_event(k)]) for k in keys))
    return [effect for [ingested] in done for effect in [ingested.effect]]


async def test_concurrent_requests_share_one_commit(db, cfg):
    committer, commits = _committer(db, cfg, linger=30)
    effects = await asyncio.wait_for(_burst(committer, [f"k{i}" for i in range(10)]), 10)
    assert effects == [Effect.CREATED] * 10
    assert len(commits) == 1


async def test_a_lone_request_without_recent_load_does_not_wait(db, cfg):
    committer, commits = _committer(db, cfg, linger=30)
    [ingested] = await asyncio.wait_for(committer.submit("acme", [_event("k1")]), 10)
    assert ingested.effect is Effect.CREATED and len(commits) == 1


async def test_under_load_a_group_waits_for_the_rest_of_its_clients(db, cfg):
    committer, commits = _committer(db, cfg, linger=30)
    await _burst(committer, [f"k{i}" for i in range(10)])
    first = asyncio.ensure_future(committer.submit("acme", [_event("k0")]))
    await asyncio.sleep(0.05)  # the first one waits: nine more are expected
    assert not first.done() and len(commits) == 1
    rest = await asyncio.wait_for(_burst(committer, [f"k{i}" for i in range(1, 10)]), 10)
    assert (await first)[0].effect is Effect.DEDUPLICATED
    assert rest == [Effect.DEDUPLICATED] * 9
    assert len(commits) == 2


async def test_the_wait_ends_at_the_linger_when_the_clients_do_not_come_back(db, cfg):
    committer, commits = _committer(db, cfg, linger=0.05)
    await _burst(committer, [f"k{i}" for i in range(10)])
    for _ in range(12):  # each lone request waits at most the linger; expectation decays
        await asyncio.wait_for(committer.submit("acme", [_event("k0")]), 5)
    assert len(commits) == 13
    assert committer.expected_group < 2
