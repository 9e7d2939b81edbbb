"""Per-channel pacing on a schedule every replica shares (bot/outbox/pacing.py)."""

import asyncio
import time

import pytest

from bot.outbox.pacing import Pacer, Pacing
from storage.db import connect


def test_the_schedule_spaces_sends_and_allows_a_burst():
    slow, burst = Pacing(2.0), Pacing(7.0, burst=7)

    def sends(pacing: Pacing, asks: int) -> list[float]:
        """When each of `asks` sends goes, each asking again after its wait."""
        next_at, held, now, out = 0.0, 0.0, 100.0, []
        for _ in range(asks):
            while True:
                next_at, held, (wait, _) = pacing.take(next_at, held, now)
                if wait <= 0:
                    break
                now += wait
            out.append(now)
        return out

    assert sends(slow, 4) == [100.0, 100.5, 101.0, 101.5]
    assert sends(burst, 8)[:7] == [100.0] * 7
    assert sends(burst, 8)[7] == pytest.approx(100 + 1 / 7)
    # a hold puts every later send after it; a late send does not let the next one
    # catch up on the time lost
    assert slow.take(0.0, 105.0, 100.0) == (0.0, 105.0, (5.0, 5.0))
    assert slow.take(100.5, 0.0, 103.0) == (103.5, 0.0, (0.0, -103.0))


class Recorder:
    """A sleep that records what it was asked to wait (the schedule runs on the
    database's clock, so it does sleep)."""

    def __init__(self):
        self.waits: list[float] = []

    @staticmethod
    def clock() -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)


async def test_a_pacer_reserves_each_post_on_the_shared_schedule(db):
    recorder = Recorder()
    pacer = Pacer(Pacing(5.0), db, "slack", "C0OPS", recorder.clock, recorder.sleep)
    for _ in range(3):
        await pacer.before_post()
    assert len(recorder.waits) == 2  # the first goes at once, each later one waits its turn
    assert 0.3 < sum(recorder.waits) <= 0.4
    await pacer.before_update()  # Slack's edits are not counted against the channel
    assert len(recorder.waits) == 2


async def test_a_hold_one_replica_got_holds_every_replica(db, db_url):
    other_db = connect(db_url)
    try:
        first, second = Recorder(), Recorder()
        one = Pacer(Pacing(50.0), db, "slack", "C0OPS", first.clock, first.sleep)
        two = Pacer(Pacing(50.0), other_db, "slack", "C0OPS", second.clock, second.sleep)
        await one.hold(1.0)
        elsewhere = Pacer(Pacing(50.0), other_db, "slack", "C0OTHER", second.clock, second.sleep)
        await elsewhere.before_post()
        assert second.waits == []  # another channel is not held
        await two.before_post()  # the other replica learns of the hold from the schedule
        assert 0.5 < sum(second.waits) <= 1.0
        await one.before_update()  # the replica that got the 429 waits before edits too,
        assert first.waits == []  # but by now the hold is over
    finally:
        await other_db.dispose()


async def test_three_replicas_together_keep_to_the_channels_rate(db, db_url):
    """Three pacers on three connections post 24 messages into one channel at once;
    measured when each send goes, the channel never runs faster than its rate. (At 10
    a second the 100 ms between sends dwarfs how late a commit under load can make a
    send's measured time.)"""
    rate = 10.0
    replicas = [db, connect(db_url), connect(db_url)]
    sent: list[float] = []

    async def replica(database) -> None:
        pacer = Pacer(Pacing(rate), database, "slack", "C0STORM")
        for _ in range(8):
            await pacer.before_post()
            sent.append(time.monotonic())

    try:
        await asyncio.gather(*(replica(d) for d in replicas))
    finally:
        for database in replicas[1:]:
            await database.dispose()
    sent.sort()
    assert len(sent) == 24
    # Each send's turn is taken on the database's clock; the time its commit takes
    # before it goes varies by a few milliseconds, and so do the gaps measured here.
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert min(gaps) > 0.3 / rate, gaps
    for i, first in enumerate(sent):
        within_a_second = [t for t in sent[i:] if t - first < 1.0]
        assert len(within_a_second) <= rate + 1, sent
    assert sent[-1] - sent[0] >= 23 / rate * 0.95
