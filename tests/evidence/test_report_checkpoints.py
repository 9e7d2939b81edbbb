"""The report carries the month's first and last signed checkpoints of the tenant's
chain, as the daily job made them, and none from another month."""

from datetime import UTC, datetime

from handlers.evidence import generate_key, make_checkpoint
from handlers.evidence.build import build
from storage import evidence
from tests.conftest import _synced as synced

from .month import MONTH, NOW, seed


async def test_the_report_carries_the_months_first_and_last_checkpoints(db_url, cfg):
    db = await synced(db_url, cfg)
    signer = generate_key()
    try:
        await seed(db, cfg)
        made = [await make_checkpoint(db, cfg, signer, "acme", at) for at in (
            datetime(2026, 10, 31, 12, tzinfo=UTC), datetime(2026, 11, 10, 12, tzinfo=UTC),
            datetime(2026, 11, 20, 12, tzinfo=UTC), datetime(2026, 12, 2, 12, tzinfo=UTC))]
        async with evidence.reading(db) as session:
            view = await build(session, cfg, "acme", MONTH, NOW)
    finally:
        await db.dispose()
    november = [c for c in made if c is not None and c.at.month == 11]
    assert len(november) == 2
    first, last = view.first_checkpoint, view.last_checkpoint
    assert (first.seq, first.hash, first.at, first.signature) == (
        november[0].seq, november[0].hash, november[0].at, november[0].signature)
    assert (last.seq, last.at) == (november[1].seq, november[1].at)
