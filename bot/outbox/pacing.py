"""Per-channel send pacing for the outbox dispatcher: a token bucket plus Retry-After holds.

Each platform passes its own Pacing (Slack: about one new message a second per
channel; Teams: seven sends a second per conversation). A 429 holds only the
channel that got it.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pacing:
    """How fast one channel may be sent to."""

    per_second: float
    burst: int = 1
    pace_updates: bool = False  # Slack's per-channel limit is on new messages, not edits

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("pacing needs a positive rate and a burst of at least 1")


class Pacer:
    """Spaces the sends to one channel; `hold()` pauses them after a 429."""

    def __init__(self, pacing: Pacing, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.pacing = pacing
        self._clock, self._sleep = clock, sleep
        self._tokens = float(pacing.burst)
        self._stamp = clock()
        self._held_until = 0.0
        self._lock = asyncio.Lock()

    def hold(self, seconds: float) -> None:
        self._held_until = max(self._held_until, self._clock() + seconds)

    async def ready(self) -> None:
        """Wait out any Retry-After hold (for calls the token bucket does not count)."""
        while (left := self._held_until - self._clock()) > 0:
            await self._sleep(left)

    async def before_post(self) -> None:
        await self._take()

    async def before_update(self) -> None:
        await (self._take() if self.pacing.pace_updates else self.ready())

    async def _take(self) -> None:
        async with self._lock:
            while True:
                await self.ready()
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.pacing.per_second)

    def _refill(self) -> None:
        now = self._clock()
        gained = (now - self._stamp) * self.pacing.per_second
        self._tokens = min(float(self.pacing.burst), self._tokens + gained)
        self._stamp = now
