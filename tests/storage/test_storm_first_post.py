"""A storm card's first post is held by one taker at a time (storage/storms.py), so two
replicas taking two refreshes of a new storm post one card."""

from datetime import timedelta

from storage import storms
from storage.storm_models import Storm
from tests.conftest import NOW

LEASE = timedelta(seconds=60)
RANK = {"critical": 0, "high": 1}


async def _storm(db) -> int:
    async with db.unit() as uow:
        session = await uow.session()
        storm = Storm(tenant_id="acme", platform="slack", channel="C0OPS", source="test",
                      opened_at=NOW, last_at=NOW)
        session.add(storm)
        await session.flush()
        return storm.id


async def _take(db, storm_id: int, at=NOW) -> storms.Taken | None:
    async with db.unit() as uow:
        return await storms.take(await uow.session(), storm_id, RANK, 5, at, LEASE)


async def test_one_taker_posts_a_new_storms_card_the_other_waits(db):
    storm_id = await _storm(db)
    first = await _take(db, storm_id)
    assert first is not None and first.ref is None and not first.busy  # it posts
    second = await _take(db, storm_id, NOW + timedelta(seconds=1))
    assert second is not None and second.busy
    async with db.unit() as uow:
        await storms.save_ref(await uow.session(), storm_id, "1700000000.000100")
    third = await _take(db, storm_id, NOW + timedelta(seconds=2))
    assert third is not None and third.ref == "1700000000.000100" and not third.busy


async def test_a_dead_takers_first_post_is_taken_over_and_a_failed_one_given_back(db):
    storm_id = await _storm(db)
    assert (await _take(db, storm_id)).ref is None
    later = await _take(db, storm_id, NOW + LEASE + timedelta(seconds=1))
    assert later is not None and not later.busy and later.ref is None  # taken over
    async with db.unit() as uow:
        await storms.forget_posting(await uow.session(), storm_id)
    again = await _take(db, storm_id, NOW + LEASE + timedelta(seconds=2))
    assert again is not None and not again.busy and again.ref is None
