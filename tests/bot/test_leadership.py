"""One replica at a time runs the fleet's jobs (storage/leadership.py, bot/scheduler.py)."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler import Jobs
from storage.db import connect
from storage.leadership import leadership

HOLD_AND_WAIT = """
import asyncio, sys
from storage.db import connect
from storage.leadership import leadership

async def main():
    lead = leadership(connect(sys.argv[1]))
    print("leads" if await lead.try_lead() else "follows", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_one_replica_leads_until_it_steps_down(db, db_url):
    other = connect(db_url)
    try:
        first, second = leadership(db), leadership(other)
        assert await first.try_lead() and first.held
        assert not await second.try_lead() and not second.held
        assert await first.try_lead()  # still leading: asking again checks it
        await first.step_down()
        assert not first.held
        assert await second.try_lead()
        assert not await first.try_lead()
        await second.step_down()
    finally:
        await other.dispose()


async def test_a_replica_killed_by_sigkill_hands_the_lead_over(db, db_url):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    holder = subprocess.Popen([sys.executable, "-c", HOLD_AND_WAIT, db_url], env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "leads"
        mine = leadership(db)
        assert not await mine.try_lead()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not await mine.try_lead():
            assert time.monotonic() < deadline, "the lead was not handed over"
            await asyncio.sleep(0.1)
        await mine.step_down()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


async def test_only_the_leader_runs_jobs_and_a_follower_takes_over(db, db_url):
    other = connect(db_url)
    runs: dict[str, int] = {"one": 0, "two": 0}

    def counting(name: str):
        async def run() -> None:
            runs[name] += 1
        return run

    caught_up: list[str] = []

    def catch_up(name: str):
        async def run() -> None:
            caught_up.append(name)
        return run

    one, two = Jobs(leader=leadership(db)), Jobs(leader=leadership(other))
    try:
        for name, jobs in (("one", one), ("two", two)):
            jobs.register_job("tick", counting(name), IntervalTrigger(seconds=0.05),
                              first_run=datetime.now(UTC))
            jobs.on_lead["digest.catch-up"] = catch_up(name)
        await one.start(every=0.1)
        await two.start(every=0.1)
        await asyncio.sleep(0.5)
        assert runs["one"] > 0 and runs["two"] == 0
        assert caught_up == ["one"]
        assert one.metrics.leader._value.get() == 1 and two.metrics.leader._value.get() == 0
        await one.stop()
        before = runs["two"]
        await asyncio.sleep(0.6)
        assert runs["two"] > before  # the follower took the lead within a round
        assert caught_up == ["one", "two"]
    finally:
        await one.stop()
        await two.stop()
        await other.dispose()
