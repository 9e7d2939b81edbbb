"""The outbox dispatcher with the Slack sender against the fake, on SQLite and PostgreSQL."""

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Pacing
from handlers.commands import Command, Identity
from handlers.enums import Verb
from handlers.lifecycle.dispatch import execute
from storage import outbox as outbox_store
from storage.db import connect
from storage.models import Alert
from storage.outbox_models import MessageRef, Outbox
from tests.bot.conftest import shows
from tests.conftest import new_alert
from tests.fixed import Fixed

from .bench import FAST, dispatcher

DANA = Identity(email="dana@partner.example")
LEE = Identity(email="lee@acme.example")


async def act(db, cfg, verb, alert, who, **args):
    result = await execute(db, cfg, Command(verb, alert, who, args))
    assert result.ok, result.message
    return result


async def pending(db, platform: str = "slack") -> int:
    async with db.unit() as uow:
        s = await uow.session()
        query = select(func.count()).select_from(Outbox).where(
            Outbox.done_at.is_(None), Outbox.platform == platform)
        return (await s.execute(query)).scalar_one()


async def version(db, short_id: str) -> int:
    async with db.unit() as uow:
        s = await uow.session()
        query = select(Alert.version).where(Alert.short_id == short_id)
        return (await s.execute(query)).scalar_one()


async def settle(db, check=None, timeout: float = 10.0) -> None:
    """Wait until no Slack row is pending (and `check()` holds)."""
    deadline = time.monotonic() + timeout
    while await pending(db) or (check and not check()):
        assert time.monotonic() < deadline, "the outbox did not settle"
        await asyncio.sleep(0.02)


def card_posts(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if "metadata" in c.args]


def notes(fake, card, channel: str = "C0OPS") -> list[str]:
    return [n.split(" · ")[0] for n in fake.thread(channel, card["ts"])]


async def test_changes_before_sending_coalesce_into_one_post(db, cfg, fake_slack):
    alert = await new_alert(db, cfg)
    await act(db, cfg, Verb.CLAIM, alert, DANA)
    await act(db, cfg, Verb.ESCALATE, alert, DANA, reason="filling fast")
    await act(db, cfg, Verb.RELEASE, alert, DANA)
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
    [card] = fake_slack.cards("C0OPS")
    assert card["metadata"]["event_payload"] == {"alert": alert, "version": 4}
    assert shows(card, "Level 1") and shows(card, "Unclaimed")
    assert len(card_posts(fake_slack)) == 1 and fake_slack.calls_to("chat.update") == []
    assert notes(fake_slack, card) == ["Dana Reyes (partner) claimed", "Dana Reyes (partner) "
                                       "escalated", "Dana Reyes (partner) released"]
    assert await pending(db) == 0 and await pending(db, "teams") == 4  # no Teams sender here


async def test_later_changes_update_the_one_card_in_place(db, cfg, fake_slack):
    alert = await new_alert(db, cfg)
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
        await act(db, cfg, Verb.CLAIM, alert, DANA)
        await act(db, cfg, Verb.SNOOZE, alert, DANA, duration="1h")
        await running.drain()
    [card] = fake_slack.cards("C0OPS")
    [update] = fake_slack.calls_to("chat.update")
    assert update.args["ts"] == card["ts"] and shows(card, "Snoozed until")
    async with db.unit() as uow:
        s = await uow.session()
        ref = (await s.execute(select(MessageRef))).scalar_one()
    assert (ref.ref, ref.rendered_version) == (card["ts"], 3)


async def test_outage_of_500s_then_429s_delays_but_never_drops_or_duplicates(db, cfg, fake_slack):
    alerts = [await new_alert(db, cfg, key=f"outage-{i}") for i in range(4)]
    # Counted, not timed: on a loaded machine a timed window could pass before the
    # dispatcher's first call. The actions below land while the calls still fail.
    fake_slack.fail(500, times=6)
    fake_slack.fail(429, times=3, retry_after=1)
    async with dispatcher(db, cfg, fake_slack) as running:
        task = asyncio.create_task(running.run())
        await asyncio.sleep(0.3)
        await act(db, cfg, Verb.CLAIM, alerts[0], DANA)
        await act(db, cfg, Verb.ESCALATE, alerts[1], LEE)
        await asyncio.sleep(0.4)
        await act(db, cfg, Verb.RESOLVE, alerts[2], LEE, note="fixed")
        await settle(db, lambda: len(fake_slack.cards("C0OPS")) == 4)
        task.cancel()
    statuses = {c.status for c in fake_slack.calls}
    assert {500, 429} <= statuses
    for short_id in alerts:
        [card] = fake_slack.card_for("C0OPS", short_id)
        assert card["metadata"]["event_payload"]["version"] == await version(db, short_id)
        assert len([c for c in card_posts(fake_slack)
                    if c.args["metadata"]["event_payload"]["alert"] == short_id]) == 1
    assert shows(fake_slack.card_for("C0OPS", alerts[2])[0], "Resolved")
    assert notes(fake_slack, fake_slack.card_for("C0OPS", alerts[0])[0]) == [
        "Dana Reyes (partner) claimed"]


async def test_a_restart_after_an_accepted_post_does_not_post_again(db, cfg, fake_slack):
    """kill -9 between Slack accepting the post and the reference being committed."""
    alert = await new_alert(db, cfg)
    fake_slack.stall = asyncio.Event()
    async with dispatcher(db, cfg, fake_slack, tuning=replace(FAST, lease_seconds=0.2)) as dead:
        work = asyncio.create_task(dead.drain())
        await fake_slack.wait_for(lambda: fake_slack.cards("C0OPS"))
        work.cancel()  # the process dies while Slack's answer is on its way
    fake_slack.stall.set()
    fake_slack.stall = None
    async with db.unit() as uow:
        s = await uow.session()
        assert (await s.execute(select(MessageRef.ref))).scalar_one() == outbox_store.INFLIGHT
    assert await pending(db) == 1
    await act(db, cfg, Verb.CLAIM, alert, DANA)  # and the alert moved on meanwhile
    await asyncio.sleep(0.25)  # the dead process's lease runs out
    async with dispatcher(db, cfg, fake_slack) as restarted:
        await restarted.drain()
    [card] = fake_slack.cards("C0OPS")
    assert len(card_posts(fake_slack)) == 1
    assert fake_slack.calls_to("conversations.history")
    assert shows(card, "Dana Reyes (partner)")
    async with db.unit() as uow:
        s = await uow.session()
        assert (await s.execute(select(MessageRef.ref))).scalar_one() == card["ts"]


async def test_a_post_failing_after_slack_accepted_it_is_found_not_reposted(db, cfg, fake_slack):
    alert = await new_alert(db, cfg)
    fake_slack.fail(500, times=1, methods=("chat.postMessage",), accept_first=True)
    async with dispatcher(db, cfg, fake_slack) as running:
        task = asyncio.create_task(running.run())
        await settle(db)
        task.cancel()
    assert len(fake_slack.card_for("C0OPS", alert)) == 1
    # Slack kept the post it answered 500 to; the retry finds it and updates it instead.
    assert [c.status for c in fake_slack.calls_to("chat.postMessage", ok_only=False)] == [500]
    assert fake_slack.calls_to("conversations.history")
    assert len(fake_slack.calls_to("chat.update")) == 1


async def test_permanent_failure_is_recorded_and_not_retried(db, cfg, fake_slack):
    fake_slack.channels.discard("C0ALERTS")  # as if the bot was removed from the channel
    await new_alert(db, cfg, "globex")
    async with dispatcher(db, cfg, fake_slack) as running:
        for _ in range(3):
            await running.drain()
    assert len(fake_slack.calls_to("chat.postMessage", ok_only=False)) == 1
    async with db.unit() as uow:
        s = await uow.session()
        row = (await s.execute(select(Outbox).where(Outbox.channel == "C0ALERTS"))).scalar_one()
        refs = (await s.execute(select(func.count()).select_from(MessageRef))).scalar_one()
    assert row.done_at is None and row.failed_at is not None and row.attempts == 1
    assert row.last_error == "chat.postMessage: channel_not_found" and refs == 0


async def test_a_429_holds_only_its_own_channel(db, cfg, fake_slack):
    fake_slack.fail(429, times=1, channels=("C0OPS",), retry_after=1)
    acme = await new_alert(db, cfg)
    globex = await new_alert(db, cfg, "globex")
    async with dispatcher(db, cfg, fake_slack) as running:
        task = asyncio.create_task(running.run())
        await settle(db)
        task.cancel()
    [limited] = [c for c in fake_slack.calls if c.status == 429]
    assert limited.args["channel"] == "C0OPS"
    at = {m["metadata"]["event_payload"]["alert"]: c.at for c in card_posts(fake_slack)
          for m in [c.args]}
    assert abs(at[globex] - limited.at) < 0.5  # not held up by the other channel's 429
    assert at[acme] - limited.at >= 0.95  # Retry-After: 1 honoured


async def test_posts_to_one_channel_are_paced(db, cfg, fake_slack):
    for i in range(4):
        await new_alert(db, cfg, key=f"paced-{i}")
    async with dispatcher(db, cfg, fake_slack, pacing=Pacing(10.0)) as running:
        await running.drain()
    times = [c.at for c in card_posts(fake_slack)]
    assert len(times) == 4
    # Each send takes its turn 0.1 s after the one before, on the database's clock; the
    # commit of a turn and the post's own trip add a few milliseconds either way.
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.03, times
    assert times[-1] - times[0] >= 0.27, times


async def test_direct_and_plain_messages(db, cfg, fake_slack):
    now = datetime.now(UTC)
    async with db.unit() as uow:
        s = await uow.session()
        for kind, payload in (("dm", {"email": "dana@partner.example", "text": "You are on"}),
                              ("text", {"text": "<!here> ACME-9 needs someone"}),
                              ("dm", {"email": "nobody@acme.example", "text": "?"})):
            s.add(Outbox(tenant_id="acme", kind=kind, platform="slack", channel="C0OPS",
                         payload=payload, created_at=now, due_at=now))
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
    assert [m["text"] for m in fake_slack.messages["DU0DANA"]] == ["You are on"]
    assert [m["text"] for m in fake_slack.messages["C0OPS"]] == [
        "&lt;!here&gt; ACME-9 needs someone"]  # plain text, escaped by the sender
    async with db.unit() as uow:
        s = await uow.session()
        errors = (await s.execute(select(Outbox.last_error).order_by(Outbox.id))).scalars().all()
    assert errors == ["", "", "no configured person 'nobody@acme.example' to message"]


async def test_two_dispatchers_on_one_database_never_post_twice(db, db_url, cfg, fake_slack):
    alerts = [await new_alert(db, cfg, key=f"twin-{i}") for i in range(12)]
    for short_id in alerts[::2]:
        await act(db, cfg, Verb.CLAIM, short_id, DANA)
    other = connect(db_url)
    try:
        async with dispatcher(db, cfg, fake_slack) as one, \
                dispatcher(other, cfg, fake_slack) as two:
            await asyncio.gather(one.drain(), two.drain(), one.drain(), two.drain())
    finally:
        await other.dispose()
    assert sorted(c.args["metadata"]["event_payload"]["alert"]
                  for c in card_posts(fake_slack)) == sorted(alerts)
    for short_id in alerts[::2]:
        [card] = fake_slack.card_for("C0OPS", short_id)
        assert notes(fake_slack, card) == ["Dana Reyes (partner) claimed"]


async def test_a_change_made_while_the_card_is_in_flight_is_sent_after(db, cfg, fake_slack):
    await new_alert(db, cfg, key="flight")
    fake_slack.stall = asyncio.Event()
    async with dispatcher(db, cfg, fake_slack) as running:
        work = asyncio.create_task(running.drain())
        await fake_slack.wait_for(lambda: fake_slack.cards("C0OPS"))
        await new_alert(db, cfg, key="flight")  # a repeat: intake sees a card row pending
        fake_slack.stall.set()
        await work
        await running.drain()
    [card] = fake_slack.cards("C0OPS")
    assert shows(card, "Occurrences\\n2") and len(fake_slack.calls_to("chat.update")) == 1


async def test_wake_delivers_without_waiting_for_the_poll(db, cfg, fake_slack):
    async with dispatcher(db, cfg, fake_slack, tuning=replace(FAST, poll_seconds=30)) as running:
        task = asyncio.create_task(running.run())
        await asyncio.sleep(0.05)
        await new_alert(db, cfg)
        started = time.monotonic()
        running.wake()
        await fake_slack.wait_for(lambda: fake_slack.cards("C0OPS"), timeout=2)
        task.cancel()
    assert time.monotonic() - started < 1


def test_dispatcher_needs_no_running_loop_to_be_built(cfg):
    assert Dispatcher(None, Fixed(cfg)).tuning.poll_seconds == 2.0  # built inside build_app


async def test_a_change_committed_just_after_a_lane_finished_is_caught_up(db, cfg, fake_slack):
    """The race the recheck closes: a writer saw the lane's rows still pending (so added
    no row of its own) and committed its change just after the lane finished."""
    alert = await new_alert(db, cfg, "globex")
    tuning = replace(FAST, recheck_seconds=0.3)
    async with dispatcher(db, cfg, fake_slack, tuning=tuning) as running:
        task = asyncio.create_task(running.run())
        await fake_slack.wait_for(lambda: fake_slack.cards("C0ALERTS"))
        async with db.unit() as uow:  # the late writer: a repeat, no outbox row
            s = await uow.session()
            row = (await s.execute(select(Alert).where(Alert.short_id == alert))).scalar_one()
            row.count += 1
        await fake_slack.wait_for(lambda: fake_slack.calls_to("chat.update"), timeout=3)
        task.cancel()
    assert shows(fake_slack.card_for("C0ALERTS", alert)[0], "Occurrences\\n2")


async def test_repeats_reach_slack_while_another_channels_row_waits(db, cfg, fake_slack):
    key = "teams-is-down"
    alert = await new_alert(db, cfg, key=key)  # Acme: a Slack and a Teams channel
    async with dispatcher(db, cfg, fake_slack) as running:
        await running.drain()
        await new_alert(db, cfg, key=key)  # a repeat: count 2
        await running.drain()
    assert shows(fake_slack.card_for("C0OPS", alert)[0], "Occurrences\\n2")


async def test_a_restart_finds_the_card_behind_thousands_of_later_messages(db, cfg, fake_slack):
    """kill -9 after Slack accepted the post, then the channel got busy: 1,500 messages
    landed before the restarted process looked (more than the 1,000 newest it used to
    read). The search starts at the in-flight mark, so 3,000 older ones are not read."""
    alert = await new_alert(db, cfg)
    fake_slack.chatter("C0OPS", 3000)
    fake_slack.stall = asyncio.Event()
    async with dispatcher(db, cfg, fake_slack, tuning=replace(FAST, lease_seconds=0.2)) as dead:
        work = asyncio.create_task(dead.drain())
        await fake_slack.wait_for(lambda: fake_slack.cards("C0OPS"))
        work.cancel()
    fake_slack.stall.set()
    fake_slack.stall = None
    fake_slack.chatter("C0OPS", 1500)
    await asyncio.sleep(0.25)  # the dead process's lease runs out
    async with dispatcher(db, cfg, fake_slack) as restarted:
        await restarted.drain()
    [card] = fake_slack.card_for("C0OPS", alert)
    assert len(card_posts(fake_slack)) == 1
    reads = fake_slack.calls_to("conversations.history")
    assert all(float(c.args["oldest"]) > 0 for c in reads) and len(reads) <= 9
    async with db.unit() as uow:
        s = await uow.session()
        assert (await s.execute(select(MessageRef.ref))).scalar_one() == card["ts"]
