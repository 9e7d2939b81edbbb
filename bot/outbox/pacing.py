"""Per-channel send pacing, fleet-wide: every replica's sends into one channel draw on
one schedule kept in the database (storage/pacing.py).

Each platform passes its own Pacing (Slack: about one new message a second per
channel; Teams: seven sends a second per conversation). The schedule is the generic
cell rate algorithm: `next_at` is when the next send is due if the channel were sent
to at exactly the rate; a send may go up to `burst - 1` intervals early. A send takes
its turn in one short transaction on the database's clock, right before it goes; one
that is too early is told how long to wait and asks again then. (Slots are not booked
ahead: a booked send that ran late, say behind a slow commit, would go together with
the next one.) So three replicas sending into one channel together still keep to its
rate. A 429 holds the channel for its Retry-After, for every replica: the hold is
stored with the schedule, and the replica that got it also waits it out before the
calls that do not count against the rate (Slack's edits).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage import pacing as schedules
from storage.db import Database


@dataclass(frozen=True)
class Pacing:
    """How fast one channel may be sent to."""

    per_second: float
    burst: int = 1
    pace_updates: bool = False  # Slack's per-channel limit is on new messages, not edits

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("pacing needs a positive rate and a burst of at least 1")

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second

    def take(self, next_at: float, held_until: float,
             now: float) -> tuple[float, float, tuple[float, float]]:
        """A send now, if the schedule allows one: the new schedule, and (seconds to
        wait before asking again, 0 when the send may go; seconds of hold left)."""
        at = max(next_at - (self.burst - 1) * self.interval, held_until)
        if now < at:
            return next_at, held_until, (at - now, held_until - now)
        return max(next_at, now) + self.interval, held_until, (0.0, held_until - now)


def _hold_for(seconds: float) -> schedules.Step[float]:
    def step(next_at: float, held_until: float, now: float) -> tuple[float, float, float]:
        return next_at, max(held_until, now + seconds), seconds
    return step


class Pacer:
    """Spaces the sends to one channel; `hold()` pauses them after a 429."""

    def __init__(self, pacing: Pacing, db: Database, platform: str, channel: str,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.pacing, self.db = pacing, db
        self.platform, self.channel = platform, channel
        self._clock, self._sleep = clock, sleep
        self._held_until = 0.0  # on this replica's clock, for ready()

    async def hold(self, seconds: float) -> None:
        self._held_until = max(self._held_until, self._clock() + seconds)
        await schedules.reserve(self.db, self.platform, self.channel, _hold_for(seconds))

    async def ready(self) -> None:
        """Wait out any Retry-After hold this replica knows of (for the calls the
        schedule does not count)."""
        while (left := self._held_until - self._clock()) > 0:
            await self._sleep(left)

    async def before_post(self) -> None:
        await self._take()

    async def before_update(self) -> None:
        await (self._take() if self.pacing.pace_updates else self.ready())

    async def _take(self) -> None:
        while True:
            wait, held = await schedules.reserve(self.db, self.platform, self.channel,
                                                 self.pacing.take)
            self._held_until = max(self._held_until, self._clock() + held)
            if wait <= 0:
                return
            await self._sleep(wait)
