"""Delivering one unit of outbox work through a platform's Sender.

A card lane becomes ONE render of the alert's current state: posted when the
channel has no message for the alert yet, else an update of that message; then
its notes go into the card's thread, in order. Before a first post an in-flight
marker is committed with the time, and a lane found in that state asks the platform
(Sender.find_card, searching everything posted since that time) before posting
again, so a crash between the platform accepting a post and the reference being
stored never makes a second card, however busy the channel was meanwhile.

An alert grouped into a storm (handlers/storms) has its storm's card as its message
in that channel: its lane queues a refresh of the storm card ("storm" rows, one
waiting per storm) and posts nothing itself.

Failures: RateLimited holds the channel for Retry-After and retries then;
Transient retries with exponential backoff, counting attempts; Permanent keeps
the rows as failed until an operator re-queues them. Each failure is logged once at
WARNING (platform, what and where, error code; never the message's text) and every
outcome is counted by platform, kind, outcome and error code (bot/metrics.py).
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.outbox.pacing import Pacer
from bot.outbox.reports import send_report
from bot.outbox.sender import Permanent, RateLimited, Recipient, Sender, Transient, mention_in
from cards.checkpoint import render_text as render_checkpoint
from cards.escape import printable
from cards.format import clock_time
from handlers.config import TandemConfig
from handlers.digest import from_payload
from handlers.evidence import checkpoint_from_payload
from handlers.reads import alert_view
from handlers.storms import BeingPosted, not_posted, posted, refresh, storm_card
from handlers.views import AlertView
from storage import outbox, outbox_retries
from storage.db import Database
from storage.storms import storm_of

log = logging.getLogger("tandem.outbox")


@dataclass(frozen=True)
class Tuning:
    poll_seconds: float = 2.0
    scan_gap: float = 0.02  # least time between two scans
    recheck_seconds: float = 2.0  # a finished lane is looked at again this much later
    lease_seconds: float = 60.0  # longer than any one send can take
    heartbeat_seconds: float = 5.0  # how often a running dispatcher says it is alive
    dead_after_beats: int = 3  # silent this many beats: its leases are taken over
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    batch: int = 100
    parallel_cards: int = 16  # cards of one channel rendered at once (posts still paced)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def dead_after(self) -> timedelta:
        return timedelta(seconds=self.heartbeat_seconds * self.dead_after_beats)

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_base * 2 ** min(attempts, 30), self.backoff_cap))


@dataclass(frozen=True)
class Channel:
    """Everything needed to deliver to one channel of one platform."""

    db: Database
    cfg: TandemConfig
    tuning: Tuning
    clock: Callable[[], datetime]
    sender: Sender
    pacer: Pacer
    retry_at: Callable[[datetime], None]  # asks the dispatcher to look again then
    recheck: Callable[[outbox.Unit], None]  # asks it to look at a finished lane once more
    counted: Callable[[str, str, str], None]  # counts (kind, outcome, error code)
    instance: str  # this dispatcher's id, recorded on the leases it takes

    def holder(self) -> outbox.Holder:
        return outbox.Holder(self.instance, self.clock() - self.tuning.dead_after)


Card = outbox.CardWork[AlertView]


def viewer(cfg: TandemConfig) -> outbox.Render[AlertView]:
    """What a card shows: the alert's view, read inside the transaction of its lease."""
    return lambda session, alert: alert_view(session, cfg, alert)


def _recipient(work: outbox.RowWork) -> Recipient | None:
    person = work.person
    if person is None:
        return None
    return Recipient(person.email, person.name, work.accounts)


class Sent(Enum):
    OK = "ok"
    RETRY = "retry"
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class What:
    """The message a platform call delivers: its kind (a metric label: card, note, dm,
    text, digest) and how the log names it (e.g. "card of ACME-12 in C0ALERTS")."""

    kind: str
    name: str


async def _guarded(ch: Channel, call: Awaitable, retry_ids: list[int], fail_ids: list[int],
                   attempts: int, what: What) -> tuple[Sent, object]:
    """Run one platform call; on failure record, log and count what happens to the rows."""
    now = ch.clock()
    try:
        return Sent.OK, await call
    except RateLimited as error:
        await ch.pacer.hold(error.retry_after)
        until = now + timedelta(seconds=error.retry_after)
        await outbox_retries.defer(ch.db, retry_ids, until, str(error), count=False)
        _failed(ch, what, "rate_limited", "rate_limited", f"held {error.retry_after:.1f}s")
    except Permanent as error:
        message = str(error) or type(error).__name__
        await outbox_retries.give_up(ch.db, fail_ids, message, now)
        _failed(ch, what, "failed", error.code,
                f"{printable(message)}; kept as failed rows {fail_ids} "
                "(`tandem outbox retry` re-queues them)")
        return Sent.GAVE_UP, None
    except Exception as error:  # Transient, or a sender bug: never drop the message
        code = error.code if isinstance(error, Transient) else "unexpected"
        if not isinstance(error, Transient):
            log.exception("outbox: unexpected error from %s sender", ch.sender.platform)
        until = now + ch.tuning.backoff(attempts)
        await outbox_retries.defer(ch.db, retry_ids, until, f"{type(error).__name__}: {error}",
                                   count=True)
        _failed(ch, what, "retried", code,
                f"attempt {attempts + 1}, retrying in {(until - now).total_seconds():.1f}s")
    ch.retry_at(until)
    return Sent.RETRY, None


def _failed(ch: Channel, what: What, outcome: str, code: str, then: str) -> None:
    """The one log line and count of a failed platform call."""
    log.warning("outbox: %s %s failed (%s): %s", ch.sender.platform, what.name,
                printable(code), then)
    ch.counted(what.kind, outcome, code)


async def _place(ch: Channel, work: Card) -> str:
    """Post or update the card; returns its message reference."""
    unit, view, ref = work.unit, work.view, work.ref
    if ref == outbox.INFLIGHT:
        await ch.pacer.ready()
        ref = await ch.sender.find_card(unit.channel, view.short_id, work.inflight_at)
        if ref is None:
            log.info("outbox: %s was not posted to %s before; posting", view.short_id, unit.channel)
    if ref is None:
        await outbox.mark_inflight(ch.db, unit, ch.clock())
        await ch.pacer.before_post()
        try:
            posted = await ch.sender.post_card(unit.channel, view)
        except Permanent:
            await outbox.forget_inflight(ch.db, unit)
            raise
        ch.counted("card", "sent", "")
        return posted
    if work.ref == outbox.INFLIGHT or work.rendered_version != view.version:
        await ch.pacer.before_update()
        await ch.sender.update_card(unit.channel, ref, view)
        ch.counted("card", "updated", "")
    return ref


async def claim_cards(ch: Channel, units: list[outbox.Unit]) -> list[Card]:
    """Lease a round's card lanes (those still workable) and render each, at once."""
    return await outbox.claim_lanes(ch.db, units, ch.clock(), ch.tuning.lease, ch.holder(),
                                    viewer(ch.cfg))


async def deliver_card(ch: Channel, work: Card) -> Card | None:
    """Deliver one leased lane: None once finished (or its failure recorded), else the
    work itself when its notes still need posting (see post_notes)."""
    unit = work.unit
    storm = storm_of(work.ref)
    if storm is not None:
        await _to_storm(ch, work, storm)
        return None
    outcome, ref = await _guarded(ch, _place(ch, work), work.ids, work.ids, work.attempts,
                                  What("card", _card_of(work)))
    if outcome is not Sent.OK:
        return None
    posted, work.ref = ref != work.ref, str(ref)
    if work.notes and not posted:
        work.unsaved = True  # one commit, with the notes, instead of two
        return work
    await outbox.finish(ch.db, work, work.plain_ids, ch.clock(), last=not work.notes, ref=work.ref)
    if work.notes:
        return work
    ch.recheck(unit)
    return None


async def _to_storm(ch: Channel, work: Card, storm: int) -> None:
    """The alert's card in this channel is its storm's: refresh that one instead. Its
    notes are not posted: the storm card shows each alert's status and owner."""
    async with ch.db.unit() as unit:
        await refresh(unit, storm, ch.clock())
    await outbox.rows_done(ch.db, work.ids, ch.clock())


async def post_notes(ch: Channel, work: Card) -> None:
    """The lane's audit notes, in order, in the card's thread."""
    save = work.unsaved
    for i, (row, note, at) in enumerate(work.notes):
        text = f"{note} · {clock_time(at, work.view.timezone)}"
        remaining = [r for r, _, _ in work.notes[i:]]
        if work.leased_until - ch.clock() < ch.tuning.lease / 2:
            await outbox_retries.extend(ch.db, work, remaining, ch.clock() + ch.tuning.lease)
        outcome, _ = await _guarded(ch, _note(ch, work, text), remaining, [row], work.attempts,
                                    What("note", f"note on the {_card_of(work)}"))
        if outcome is Sent.RETRY:
            if save:
                await outbox.finish(ch.db, work, work.plain_ids, ch.clock(), False, work.ref)
            return
        done = ([row] if outcome is Sent.OK else []) + (work.plain_ids if save else [])
        last = i == len(work.notes) - 1
        await outbox.finish(ch.db, work, done, ch.clock(), last, work.ref if save else None)
        save = False
        if last:
            ch.recheck(work.unit)


def _card_of(work: Card) -> str:
    return f"card of {work.view.short_id} in {work.unit.channel}"


async def _note(ch: Channel, work: Card, text: str) -> None:
    await ch.pacer.before_post()
    await ch.sender.post_note(work.unit.channel, str(work.ref), text)
    ch.counted("note", "sent", "")


async def deliver_row(ch: Channel, unit: outbox.Unit) -> bool:
    """A direct message ("dm"), plain channel message ("text"), digest, storm card or
    audit checkpoint."""
    if unit.row_id is None:
        raise ValueError(f"{unit} is a card lane, not a single row")
    work = await outbox.claim_row(ch.db, unit, ch.clock(), ch.tuning.lease, ch.holder())
    if work is None:
        return False
    row = [unit.row_id]
    outcome, _ = await _guarded(ch, _send_row(ch, work), row, row, work.attempts,
                                What(unit.kind, f"{unit.kind} row {unit.row_id} to {unit.channel}"))
    if outcome is Sent.OK:
        ch.counted(unit.kind, "sent", "")
        await outbox.rows_done(ch.db, row, ch.clock())
    return True


async def _send_row(ch: Channel, work: outbox.RowWork) -> None:
    if work.unit.kind == "digest":
        await _send_digest(ch, work)
        return
    if work.unit.kind == "storm":
        await _send_storm(ch, work)
        return
    if work.unit.kind == "report":
        await send_report(ch.db, ch.cfg, ch.sender, ch.pacer, work)
        return
    if work.unit.kind == "checkpoint":
        await _send_checkpoint(ch, work)
        return
    text = str(work.payload.get("text") or "")
    if not text:
        raise Permanent("the outbox row has no text", "invalid_row")
    kind, recipient = work.unit.kind, _recipient(work)
    if kind not in ("dm", "text"):
        raise Permanent(f"unknown outbox row kind {kind!r}", "invalid_row")
    if kind == "text":
        await ch.pacer.before_post()
        await ch.sender.post_text(work.unit.channel, text,
                                  *mention_in(work.payload, text, recipient))
        return
    if recipient is None:
        raise Permanent(f"no configured person {work.payload.get('email')!r} to message",
                        "unknown_person")
    await ch.pacer.before_post()
    await ch.sender.send_direct(recipient, text)


async def _send_digest(ch: Channel, work: outbox.RowWork) -> None:
    """A "digest" row carries the digest's data (handlers/digest/payload.py)."""
    try:
        digest = from_payload(work.payload)
    except (KeyError, TypeError, ValueError) as error:
        raise Permanent(f"unreadable digest payload: {error}", "invalid_row") from None
    await ch.pacer.before_post()
    await ch.sender.post_digest(work.unit.channel, digest)


async def _send_checkpoint(ch: Channel, work: outbox.RowWork) -> None:
    """A "checkpoint" row: the day's signed audit chain head, as plain text
    (cards/checkpoint.py says why)."""
    try:
        post = checkpoint_from_payload(work.payload)
    except (KeyError, TypeError, ValueError) as error:
        raise Permanent(f"unreadable checkpoint payload: {error}", "invalid_row") from None
    await ch.pacer.before_post()
    await ch.sender.post_text(work.unit.channel, render_checkpoint(post))


async def _send_storm(ch: Channel, work: outbox.RowWork) -> None:
    """A "storm" row: post the storm's card, or update it in place once posted."""
    storm = work.payload.get("storm")
    if type(storm) is not int:
        raise Permanent("the storm row names no storm", "invalid_row")
    try:
        async with ch.db.unit() as unit:
            found = await storm_card(await unit.session(), ch.cfg, storm, ch.clock(),
                                     ch.tuning.lease)
    except BeingPosted as busy:
        raise Transient(str(busy), "storm_being_posted") from None
    if found is None:
        raise Permanent(f"storm {storm} does not exist", "invalid_row")
    view, ref = found
    if ref is not None:
        await ch.pacer.before_update()
        await ch.sender.update_storm(work.unit.channel, ref, view)
        return
    try:
        await ch.pacer.before_post()
        ref = await ch.sender.post_storm(work.unit.channel, view)
    except Exception:
        async with ch.db.unit() as unit:
            await not_posted(unit, storm)
        raise
    async with ch.db.unit() as unit:
        await posted(unit, storm, ref)
