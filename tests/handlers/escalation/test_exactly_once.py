"""Three processes tick one database at once: every step is taken, and pinged, once.

Three separate Database engines (separate connection pools, as three replicas
would have) run ticks concurrently; on PostgreSQL they really overlap and share
the due alerts through FOR UPDATE SKIP LOCKED, on SQLite they queue on the write
lock. Small batches make each tick several transactions, so they interleave.
"""

import asyncio
from collections import Counter

from handlers.commands import Command, Identity
from handlers.enums import Verb
from handlers.escalation.steps import tick
from handlers.lifecycle.dispatch import execute
from storage import audit
from tests.conftest import new_alert

from .helpers import at, events, rows

ALERTS = 24
STEP_MINUTES = (5, 15, 30, 35, 45, 60)  # every step of the policy, both rounds


async def _all_tick(replicas, cfg, minute: float) -> int:
    done = await asyncio.gather(*(tick(r, cfg, at(minute), size=5) for r in replicas))
    return sum(done)


async def test_every_step_pinged_exactly_once(replicas, cfg):
    db = replicas[0]
    for _ in range(ALERTS):
        await new_alert(db, cfg)
    for minute in STEP_MINUTES:
        assert await _all_tick(replicas, cfg, minute) == ALERTS, minute
        assert await _all_tick(replicas, cfg, minute) == 0  # a repeat finds nothing due
    pings = await events(db, "ping")
    assert len(pings) == ALERTS * len(STEP_MINUTES)
    assert set(Counter((p.alert, p.details["level"]) for p in pings).values()) == {1}
    dms = Counter(r.channel for r in await rows(db, "dm"))
    assert dms == {"dm:lee@acme.example": 2 * ALERTS, "dm:raj@partner.example": 2 * ALERTS}
    assert len(await rows(db, "text")) == ALERTS * 2 * 2  # two channel steps, two channels
    assert (await audit.verify(db)).ok


async def test_claims_racing_the_tick_stop_it_for_good(replicas, cfg):
    db = replicas[0]
    alerts = [await new_alert(db, cfg) for _ in range(ALERTS)]
    claimed = alerts[::2]
    claims = [execute(replicas[i % 3], cfg,
                      Command(Verb.CLAIM, a, Identity(email="dana@partner.example")), at(5))
              for i, a in enumerate(claimed)]
    ticks = [tick(r, cfg, at(5), size=3) for r in replicas]
    results = await asyncio.gather(*claims, *ticks)
    assert all(r.ok for r in results[:len(claimed)])
    for minute in STEP_MINUTES[1:]:
        await _all_tick(replicas, cfg, minute)
    history = await events(db, "ping") + await events(db, "claim")
    for short_id in claimed:
        verbs = [e.verb for e in sorted(history, key=lambda e: e.seq) if e.alert == short_id]
        assert verbs in (["claim"], ["ping", "claim"])  # at most the 5m ping, never after
    unclaimed = [p for p in await events(db, "ping") if p.alert not in claimed]
    assert len(unclaimed) == len(alerts[1::2]) * len(STEP_MINUTES)
    assert (await audit.verify(db)).ok
