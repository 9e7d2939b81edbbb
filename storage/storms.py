"""Storms' SQL: each channel's window of new alerts, the storms open in it, the alerts
that joined one (their message_ref points at the storm's card), and what a storm card
shows. handlers/storms decides; this module only reads and writes.

An alert's reference in a channel is "storm:<id>" while the storm's card stands for
it; the outbox's card lane for it then refreshes the storm's card instead.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import RESOLVED, Alert, table_of
from storage.outbox_models import MessageRef
from storage.storm_models import Storm, StormAlert, StormWindow

PREFIX = "storm:"
POSTING = "posting:"  # Storm.ref while a replica posts the card's first message

Lane = tuple[str, str]  # (platform, channel)


def card_ref(storm_id: int) -> str:
    """The reference of an alert whose card is its storm's."""
    return f"{PREFIX}{storm_id}"


def storm_of(ref: str | None) -> int | None:
    """The storm whose card `ref` stands for, or None for an alert's own card."""
    if ref is None or not ref.startswith(PREFIX):
        return None
    return int(ref.removeprefix(PREFIX))


@dataclass
class Window:
    started_at: datetime
    count: int
    stormy_until: datetime | None


@dataclass(frozen=True)
class Joined:
    """An alert grouped into a storm in one channel; `storm` None: open a new one."""

    alert_id: int
    platform: str
    channel: str
    source: str
    storm: int | None


@dataclass(frozen=True)
class Queued:
    """A storm whose card now needs a refresh row in the outbox."""

    id: int
    tenant_id: str
    platform: str
    channel: str


async def windows(session: AsyncSession, tenant_id: str,
                  lanes: Iterable[Lane]) -> dict[Lane, Window]:
    """The stored windows of `lanes` (a lane never counted has none)."""
    query = select(StormWindow).where(
        col(StormWindow.tenant_id) == tenant_id,
        tuple_(col(StormWindow.platform), col(StormWindow.channel)).in_(sorted(set(lanes))))
    return {(w.platform, w.channel): Window(w.started_at, w.count, w.stormy_until)
            for w in (await session.execute(query)).scalars()}


async def open_storms(session: AsyncSession, tenant_id: str,
                      since: datetime) -> dict[tuple[str, str, str], int]:
    """The tenant's storms an alert joined since `since`, by (platform, channel, source)."""
    query = select(col(Storm.platform), col(Storm.channel), col(Storm.source),
                   func.max(col(Storm.id))).where(
        col(Storm.tenant_id) == tenant_id, col(Storm.last_at) >= since,
    ).group_by(col(Storm.platform), col(Storm.channel), col(Storm.source))
    return {(p, c, s): i for p, c, s, i in await session.execute(query)}


async def write(session: AsyncSession, tenant_id: str, windows: Mapping[Lane, Window],
                joined: Sequence[Joined], now: datetime) -> list[Queued]:
    """Store the windows and the alerts that joined storms (opening the new ones); the
    storms whose card now needs a refresh row."""
    await _save_windows(session, tenant_id, windows)
    if not joined:
        return []
    ids = await _open(session, tenant_id, joined, now)
    storm = {j: ids[j.platform, j.channel, j.source] for j in joined}
    await session.execute(insert(table_of(StormAlert)), [
        {"storm_id": storm[j], "alert_id": j.alert_id} for j in joined])
    await session.execute(insert(table_of(MessageRef)), [
        {"alert_id": j.alert_id, "platform": j.platform, "channel": j.channel,
         "ref": card_ref(storm[j]), "rendered_version": 0} for j in joined])
    touched = sorted(set(ids.values()))
    await session.execute(update(Storm).where(col(Storm.id).in_(touched)).values(last_at=now))
    return await queue(session, touched)


async def _save_windows(session: AsyncSession, tenant_id: str,
                        windows: Mapping[Lane, Window]) -> None:
    if not windows:
        return
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(StormWindow)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "platform", "channel"],
        set_={name: stmt.excluded[name] for name in ("started_at", "count", "stormy_until")})
    await session.execute(stmt, [
        {"tenant_id": tenant_id, "platform": p, "channel": c, "started_at": w.started_at,
         "count": w.count, "stormy_until": w.stormy_until} for (p, c), w in windows.items()])


async def _open(session: AsyncSession, tenant_id: str, joined: Sequence[Joined],
                now: datetime) -> dict[tuple[str, str, str], int]:
    """Every joined alert's storm id by (platform, channel, source), opening the storms
    that are new (one INSERT each: a storm opens rarely)."""
    ids = {(j.platform, j.channel, j.source): j.storm for j in joined if j.storm is not None}
    for j in joined:
        key = (j.platform, j.channel, j.source)
        if key not in ids:
            storm = Storm(tenant_id=tenant_id, platform=j.platform, channel=j.channel,
                          source=j.source, opened_at=now, last_at=now)
            session.add(storm)
            await session.flush()
            ids[key] = storm.id
    return ids


async def queue(session: AsyncSession, storm_ids: Sequence[int]) -> list[Queued]:
    """Mark the storms whose card awaits a refresh; those that were not marked already
    need a refresh row. The conditional UPDATE takes each storm's row lock, so a
    dispatcher taking the storm at the same moment (`take`) is waited for and either
    sees this change or leaves the storm unmarked for it."""
    if not storm_ids:
        return []
    marked = await session.execute(
        update(Storm).where(col(Storm.id).in_(storm_ids), col(Storm.queued).is_(False))
        .values(queued=True)
        .returning(col(Storm.id), col(Storm.tenant_id), col(Storm.platform), col(Storm.channel)))
    return [Queued(*row) for row in marked]


async def unstorm(session: AsyncSession, alert_id: int, platform: str, channel: str) -> int | None:
    """Let the alert have its own card in the channel: its storm's id, or None when the
    alert has no storm card standing for it there."""
    ref = await session.get(MessageRef, (alert_id, platform, channel), with_for_update=True)
    storm = storm_of(ref.ref if ref else None)
    if storm is not None:
        await session.delete(ref)
    return storm


@dataclass(frozen=True)
class Member:
    alert: Alert
    opened: bool  # it has its own card now


@dataclass(frozen=True)
class Taken:
    """What a storm card shows, read as the dispatcher takes the refresh. `ref` is the
    card's message, or None when the taker is to post it; `busy` when another taker is
    posting it right now."""

    storm: Storm
    severities: dict[str, int]
    top: list[Member]
    ref: str | None = None
    busy: bool = False


def _first_post(storm: Storm, now: datetime, lease: timedelta) -> tuple[str | None, bool]:
    """(the card's reference, busy). A card never posted is marked as being posted by
    this taker, so two replicas taking two refreshes of a new storm post one card; a
    mark older than `lease` is of a taker that died, and is taken over."""
    if storm.ref is not None and not storm.ref.startswith(POSTING):
        return storm.ref, False
    if storm.ref is not None:
        since = datetime.fromisoformat(storm.ref.removeprefix(POSTING))
        if since > now - lease:
            return None, True
    storm.ref = f"{POSTING}{now.isoformat()}"
    return None, False


async def take(session: AsyncSession, storm_id: int, severity_rank: Mapping[str, int],
               top: int, now: datetime, lease: timedelta) -> Taken | None:
    """Unmark the storm (a later join queues another refresh) and read its card: the
    count of its alerts by severity, and its `top` alerts, live ones first, then by
    `severity_rank` (lower first), newest first."""
    await session.execute(update(Storm).where(col(Storm.id) == storm_id).values(queued=False))
    storm = await session.get(Storm, storm_id, populate_existing=True)
    if storm is None:
        return None
    ref, busy = _first_post(storm, now, lease)
    if busy:
        return Taken(storm, {}, [], busy=True)
    members = col(StormAlert.storm_id) == storm_id
    counted = select(col(Alert.severity), func.count()).join(
        StormAlert, col(StormAlert.alert_id) == Alert.id).where(members).group_by(
        col(Alert.severity))
    severities = {s: n for s, n in await session.execute(counted)}
    rank = case(severity_rank, value=col(Alert.severity), else_=len(severity_rank))
    stood_for = and_(col(MessageRef.alert_id) == Alert.id,
                     col(MessageRef.platform) == storm.platform,
                     col(MessageRef.channel) == storm.channel,
                     col(MessageRef.ref) == card_ref(storm_id))
    rows = (select(Alert, col(MessageRef.ref))
            .join(StormAlert, col(StormAlert.alert_id) == Alert.id)
            .outerjoin(MessageRef, stood_for).where(members)
            .order_by(col(Alert.status) == RESOLVED, rank, col(Alert.id).desc()).limit(top))
    found = [Member(alert, stood is None) for alert, stood in await session.execute(rows)]
    return Taken(storm, severities, found, ref)


async def forget_posting(session: AsyncSession, storm_id: int) -> None:
    """The first post failed: the next refresh posts it, on whichever replica."""
    await session.execute(update(Storm).where(col(Storm.id) == storm_id,
                                              col(Storm.ref).startswith(POSTING))
                          .values(ref=None))


async def save_ref(session: AsyncSession, storm_id: int, ref: str) -> None:
    await session.execute(update(Storm).where(col(Storm.id) == storm_id).values(ref=ref))
