"""The outbox dispatcher's database side: finding due work, leasing it, recording outcomes.

Every function is one short transaction; none is held across a network call.

A card *lane* is every pending card row of one alert in one channel. A lane is
worked only when none of its pending rows is deferred: a worker leases a lane by
pushing its rows' due_at out by the lease, so other dispatcher processes skip the
lane until the worker is done (or, after a crash, until the lease runs out).
Leasing locks the lane's rows (FOR UPDATE on PostgreSQL; SQLite writers are
serialised by BEGIN IMMEDIATE) and re-checks them, so two processes never both
win one lane. Other row kinds ("dm", "text") are leased one row at a time.
A lease records the dispatcher instance holding it (leased_by); a row whose instance
has stopped beating (bot/outbox/heartbeat.py) is workable at once, whatever its due_at.

A row the platform refused for good is *failed* (failed_at set, done_at still NULL):
no dispatcher works it, and intake still sees it as a queued refresh, so repeats of
the alert do not pile more failures onto the channel. `retry` re-queues failed rows.

What a card shows is the caller's business: `claim_lane` hands the alert, inside the
lease's transaction, to the caller's `render`, and keeps what it makes with the work.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage import queries
from storage.db import Database
from storage.models import Alert, Person
from storage.outbox_models import MessageRef, Outbox, OutboxInstance

INFLIGHT = ""  # col(MessageRef.ref) while a first post is in doubt (sent, reference not stored)
ERROR_LIMIT = 500


@dataclass(frozen=True)
class Unit:
    """One piece of due work: a card lane, or a single row of another kind."""

    platform: str
    channel: str
    kind: str
    alert_id: int | None = None
    row_id: int | None = None

    def message_ref(self, **fields: Any) -> MessageRef:
        """A new reference to the message of this card lane (a card lane has its alert)."""
        if self.alert_id is None:
            raise ValueError(f"{self} is not a card lane")
        return MessageRef(alert_id=self.alert_id, platform=self.platform, channel=self.channel,
                          **fields)


@dataclass(frozen=True)
class Holder:
    """Who takes leases, and since when an instance must have beaten to hold one."""

    instance: str
    alive_since: datetime


class Shown(Protocol):
    """What a render makes of an alert: the card, at the alert version it shows."""

    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Shown)
Render = Callable[[AsyncSession, Alert], Awaitable[V]]


@dataclass
class CardWork(Generic[V]):
    unit: Unit
    view: V
    ref: str | None  # None: never posted; INFLIGHT: maybe posted; else the message ref
    rendered_version: int
    plain_ids: list[int]  # rows with nothing to add but the card
    leased_until: datetime
    attempts: int = 0
    notes: list[tuple[int, str, datetime]] = field(default_factory=list)  # (row, note, at)
    inflight_at: datetime | None = None  # with ref INFLIGHT: when the post was marked
    unsaved: bool = False  # the card was updated; its version is recorded with the notes

    @property
    def ids(self) -> list[int]:
        return [*self.plain_ids, *(row for row, _, _ in self.notes)]


@dataclass(frozen=True)
class RowWork:
    unit: Unit
    payload: dict
    attempts: int = 0
    person: Person | None = None  # whom a "dm" goes to, or whom a "text" mentions
    accounts: dict[str, str] = field(default_factory=dict)  # the person's {platform: key}
    queued_at: datetime | None = None


def _pending(platforms: list[str], channel: str | None):
    query = select(Outbox).where(col(Outbox.done_at).is_(None), col(Outbox.failed_at).is_(None),
                                 col(Outbox.platform).in_(platforms))
    return query.where(col(Outbox.channel) == channel) if channel is not None else query


def _held(now: datetime, alive_since: datetime):
    """A row not workable now: waiting (no holder) or leased by a live instance."""
    live = exists().where(col(OutboxInstance.id) == Outbox.leased_by,
                          col(OutboxInstance.beat_at) >= alive_since)
    return and_(col(Outbox.due_at) > now, or_(col(Outbox.leased_by).is_(None), live))


def _workable(query, now: datetime, alive_since: datetime):
    """Card lanes none of whose rows is held (grouped), and single rows not held, of
    `query`'s pending rows, each with its first row id as "first"."""
    lanes = (
        query.where(col(Outbox.kind) == "card")
        .with_only_columns(col(Outbox.platform), col(Outbox.channel), col(Outbox.alert_id),
                           func.min(col(Outbox.id)).label("first"))
        .group_by(col(Outbox.platform), col(Outbox.channel), col(Outbox.alert_id))
        .having(func.max(case((_held(now, alive_since), 1), else_=0)) == 0)
    )
    singles = (
        query.where(col(Outbox.kind) != "card", not_(_held(now, alive_since)))
        .with_only_columns(col(Outbox.platform), col(Outbox.channel), col(Outbox.kind),
                           col(Outbox.id))
    )
    return lanes, singles


async def due_channels(db: Database, platforms: list[str], now: datetime,
                       busy: set[tuple[str, str]], alive_since: datetime,
                       ) -> list[tuple[str, str]]:
    """(platform, channel) of every channel with workable units, oldest work first,
    leaving out the `busy` ones (a worker is on them) before anything is grouped."""
    if not platforms:
        return []
    query = _pending(platforms, None)
    if busy:
        query = query.where(tuple_(col(Outbox.platform), col(Outbox.channel)).not_in(sorted(busy)))
    lanes, singles = _workable(query, now, alive_since)
    lanes = lanes.subquery()
    work = union_all(select(lanes.c.platform, lanes.c.channel, lanes.c.first),
                     singles.with_only_columns(col(Outbox.platform), col(Outbox.channel),
                                               col(Outbox.id).label("first"))).subquery()
    channels = (select(work.c.platform, work.c.channel)
                .group_by(work.c.platform, work.c.channel).order_by(func.min(work.c.first)))
    async with db.read() as session:
        return [(p, c) for p, c in await session.execute(channels)]


# Which work goes first in a channel: critical and high cards, then direct messages and
# channel messages (escalation pings, reminders), then cards of lower severity; the
# oldest first within each.
_RANK = case({"critical": 0, "high": 1, "medium": 3, "low": 4, "info": 5},
             value=col(Alert.severity), else_=3)
SINGLE_RANK = 2


async def due_work(db: Database, platforms: list[str], now: datetime, limit: int,
                   channel: str | None, alive_since: datetime,
                   paced: int | None = None, edits_paced: bool = False) -> list[Unit]:
    """Workable card lanes and due single rows, most urgent first (see _RANK). With
    `paced`, at most that many units the channel's pacing counts: those that post a new
    message (a card never posted, a single row), and card updates too with
    `edits_paced`. A paced channel looks again after those, so urgent work that arrives
    meanwhile waits for no more than them, while unpaced updates are not held back."""
    if not platforms:
        return []
    lanes, singles = _workable(_pending(platforms, channel), now, alive_since)
    lanes = lanes.subquery()
    ranked = (
        select(lanes.c.platform, lanes.c.channel, lanes.c.alert_id, lanes.c.first,
               _RANK.label("rank"), col(MessageRef.ref).is_(None).label("new"))
        .join(Alert, col(Alert.id) == lanes.c.alert_id)
        .outerjoin(MessageRef, and_(col(MessageRef.alert_id) == lanes.c.alert_id,
                                    col(MessageRef.platform) == lanes.c.platform,
                                    col(MessageRef.channel) == lanes.c.channel))
        .order_by(literal_column("rank"), lanes.c.first).limit(limit)
    )
    singles = singles.order_by(col(Outbox.id)).limit(limit)
    async with db.read() as session:
        found = [((rank, first), bool(new), Unit(p, c, "card", alert_id=a))
                 for p, c, a, first, rank, new in await session.execute(ranked)]
        found += [((SINGLE_RANK, row), True, Unit(p, c, k, row_id=row))
                  for p, c, k, row in await session.execute(singles)]
    chosen, left = [], limit if paced is None else paced
    for _, new, unit in sorted(found, key=lambda item: item[0]):
        counted = new or edits_paced
        if counted and left <= 0:
            continue
        left -= counted
        chosen.append(unit)
    return chosen[:limit]


def _lanes(platform: str, channel: str, alert_ids: list[int | None]):
    return (col(Outbox.done_at).is_(None), col(Outbox.failed_at).is_(None),
            col(Outbox.kind) == "card", col(Outbox.alert_id).in_(alert_ids),
            col(Outbox.platform) == platform, col(Outbox.channel) == channel)


def _lane(unit: Unit):
    return _lanes(unit.platform, unit.channel, [unit.alert_id])


async def _live(session: AsyncSession, holders: set[str], alive_since: datetime) -> set[str]:
    """Which of these dispatcher instances have beaten since `alive_since`."""
    if not holders:
        return set()
    query = select(col(OutboxInstance.id)).where(col(OutboxInstance.id).in_(holders),
                                                 col(OutboxInstance.beat_at) >= alive_since)
    return set((await session.execute(query)).scalars())


def _held_rows(rows: Sequence[Outbox], now: datetime, live: set[str]) -> bool:
    """Whether a lane is held: a row waiting for a retry, or leased by a live instance."""
    return any(row.due_at > now and (row.leased_by is None or row.leased_by in live)
               for row in rows)


async def claim_lanes(db: Database, units: Sequence[Unit], now: datetime, lease: timedelta,
                      holder: Holder, render: Render[V]) -> list[CardWork[V]]:
    """Lease the workable lanes among `units` (card lanes of one channel) and render each
    alert's current state, in one transaction: a round of a busy channel costs a few
    statements, not a few per lane. Lanes not workable (held, or gone) are left out; a
    lease of an instance that stopped beating does not count."""
    if not units:
        return []
    platform, channel = units[0].platform, units[0].channel
    wanted = [unit.alert_id for unit in units]
    async with db.unit() as uow:
        session = await uow.session()
        query = (select(Outbox).where(*_lanes(platform, channel, wanted))
                 .order_by(col(Outbox.id)).with_for_update())
        lanes: dict[int | None, list[Outbox]] = {}
        for row in (await session.execute(query)).scalars():
            lanes.setdefault(row.alert_id, []).append(row)
        holders = {row.leased_by for rows in lanes.values() for row in rows
                   if row.leased_by is not None and row.due_at > now}
        live = await _live(session, holders, holder.alive_since)
        claimed = [(unit, lanes[unit.alert_id]) for unit in units
                   if unit.alert_id in lanes and not _held_rows(lanes[unit.alert_id], now, live)]
        if not claimed:
            return []
        ids = [row.id for _, rows in claimed for row in rows]
        await session.execute(update(Outbox).where(col(Outbox.id).in_(ids))
                              .values(due_at=now + lease, leased_by=holder.instance))
        alert_ids = [unit.alert_id for unit, _ in claimed]
        shown = select(MessageRef).where(col(MessageRef.alert_id).in_(alert_ids),
                                         col(MessageRef.platform) == platform,
                                         col(MessageRef.channel) == channel)
        refs: dict[int | None, MessageRef] = {
            ref.alert_id: ref for ref in (await session.execute(shown)).scalars()}
        alerts: dict[int | None, Alert] = {alert.id: alert for alert in (await session.execute(
            select(Alert).where(col(Alert.id).in_(alert_ids)))).scalars()}
        return [_work(unit, rows, refs.get(unit.alert_id),
                      await render(session, alerts[unit.alert_id]), now + lease)
                for unit, rows in claimed]


def _work(unit: Unit, rows: list[Outbox], ref: MessageRef | None, view: V,
          leased_until: datetime) -> CardWork[V]:
    work = CardWork(unit, view, ref.ref if ref else None, ref.rendered_version if ref else 0, [],
                    leased_until=leased_until, attempts=max(r.attempts for r in rows),
                    inflight_at=ref.inflight_at if ref else None)
    for row in rows:
        note = row.payload.get("note")
        if note:
            work.notes.append((row.id, str(note), row.created_at))
        else:
            work.plain_ids.append(row.id)
    return work


async def claim_lane(db: Database, unit: Unit, now: datetime, lease: timedelta,
                     holder: Holder, render: Render[V]) -> CardWork[V] | None:
    """Lease one lane and render the alert's current state, or None if it is not
    workable (see claim_lanes)."""
    found = await claim_lanes(db, [unit], now, lease, holder, render)
    return found[0] if found else None


async def claim_row(db: Database, unit: Unit, now: datetime, lease: timedelta,
                    holder: Holder) -> RowWork | None:
    async with db.unit() as uow:
        session = await uow.session()
        query = (select(Outbox).where(col(Outbox.id) == unit.row_id, col(Outbox.done_at).is_(None),
                                      col(Outbox.failed_at).is_(None),
                                      not_(_held(now, holder.alive_since)))
                 .with_for_update(skip_locked=True))
        row = (await session.execute(query)).scalar_one_or_none()
        if row is None:
            return None
        row.due_at, row.leased_by = now + lease, holder.instance
        payload, attempts, queued_at = dict(row.payload), row.attempts, row.created_at
        person, accounts = None, {}
        email = payload.get("email") if row.kind == "dm" else (
            (payload.get("mention") or {}).get("email") if row.kind == "text" else None)
        if email:  # whom a direct message goes to, or whom a channel message mentions
            person = await queries.person_by_email(session, str(email))
            accounts = await queries.identities(session, str(email)) if person else {}
    return RowWork(unit, payload, attempts, person, accounts, queued_at)


async def mark_inflight(db: Database, unit: Unit, now: datetime) -> None:
    """Record that a first post is about to be sent (committed before sending), and
    when: a search for it after a crash need read no further back than that. A marker
    left by an earlier attempt keeps its older time, so the search covers both."""
    async with db.unit() as uow:
        session = await uow.session()
        if await session.get(MessageRef, (unit.alert_id, unit.platform, unit.channel)) is None:
            session.add(unit.message_ref(ref=INFLIGHT, rendered_version=0, inflight_at=now))


async def forget_inflight(db: Database, unit: Unit) -> None:
    """The platform refused the post outright, so nothing is in doubt any more."""
    async with db.unit() as uow:
        session = await uow.session()
        ref = await session.get(MessageRef, (unit.alert_id, unit.platform, unit.channel))
        if ref is not None and ref.ref == INFLIGHT:
            await session.delete(ref)


async def _done(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(update(Outbox).where(col(Outbox.id).in_(ids)).values(done_at=now))


async def _refresh_if_changed(session: AsyncSession, unit: Unit, shown: int,
                              now: datetime) -> None:
    """A change made while the card was being sent found the lane busy and enqueued
    nothing (intake coalesces on pending rows): queue one more render of it. The alert
    row is locked first, so a writer that already changed it is waited for."""
    alert = (await session.execute(
        select(Alert).where(col(Alert.id) == unit.alert_id).with_for_update())).scalar_one()
    waiting = (await session.execute(select(col(Outbox.id)).where(*_lane(unit)).limit(1))).first()
    if alert.version != shown and waiting is None:
        session.add(Outbox(tenant_id=alert.tenant_id, alert_id=alert.id, kind="card",
                           platform=unit.platform, channel=unit.channel, payload={},
                           created_at=now, due_at=now))


async def recheck(db: Database, units: list[Unit], now: datetime) -> None:
    """Catch up on changes that committed just after a lane finished: such a writer
    saw the lane's rows still pending when it decided not to add one."""
    async with db.unit() as uow:
        session = await uow.session()
        for unit in units:
            ref = await session.get(MessageRef, (unit.alert_id, unit.platform, unit.channel))
            if ref is not None and ref.ref != INFLIGHT:
                await _refresh_if_changed(session, unit, ref.rendered_version, now)


async def finish(db: Database, work: CardWork, ids: list[int], now: datetime, last: bool,
                 ref: str | None = None) -> None:
    """Mark `ids` delivered, and with `ref` record the card's reference and the version
    it now shows; when they are the lane's last rows, catch up on later changes."""
    async with db.unit() as uow:
        session = await uow.session()
        if ref is not None:
            await _save_ref(session, work, ref)
        await _done(session, ids, now)
        if last:
            await _refresh_if_changed(session, work.unit, work.view.version, now)


async def _save_ref(session: AsyncSession, work: CardWork, ref: str) -> None:
    unit = work.unit
    row = await session.get(MessageRef, (unit.alert_id, unit.platform, unit.channel))
    if row is None:
        session.add(unit.message_ref(ref=ref, rendered_version=work.view.version))
    else:
        row.ref, row.rendered_version, row.inflight_at = ref, work.view.version, None


async def rows_done(db: Database, ids: list[int], now: datetime) -> None:
    async with db.unit() as uow:
        session = await uow.session()
        await _done(session, ids, now)
