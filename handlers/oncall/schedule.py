"""Who is on call: rotations, layer windows and overrides, evaluated at an instant.

Rotations turn over on local wall-clock time (a daily 18:00 handoff stays at 18:00
across DST changes), windows are local too, and every answer is for an aware UTC
instant. Overrides ("covers") win over the rotation for their window; a cover
without a layer wins over every layer.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.config.oncall import Layer, handoff_parts
from handlers.config.schema import Tenant

HORIZON = timedelta(days=28)  # how far ahead "next" looks


@dataclass(frozen=True)
class Cover:
    """An override: `email` is on call from starts_at until ends_at."""

    email: str
    starts_at: datetime
    ends_at: datetime
    layer: str | None = None


@dataclass(frozen=True)
class Duty:
    """Who is on call (None: nobody), from which layer, and whether by override."""

    email: str | None
    layer: str | None = None
    override: bool = False


@dataclass(frozen=True)
class Turn:
    """The current duty, when it ends, and the next person and when they start."""

    now: Duty
    until: datetime | None
    next: Duty | None
    next_from: datetime | None


def zone_of(tenant: Tenant, layer: Layer) -> ZoneInfo:
    return ZoneInfo(layer.timezone or tenant.timezone)


def _local(at: datetime, zone: ZoneInfo) -> datetime:
    """Naive local wall-clock time of an aware instant."""
    return at.astimezone(zone).replace(tzinfo=None)


def _utc(naive: datetime, zone: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _anchor(layer: Layer) -> datetime:
    """The rotation's first handoff, as naive local time."""
    weekday, clock = handoff_parts(layer.rotation.handoff)
    first = layer.rotation.start
    if weekday is not None:
        first += timedelta(days=(weekday - first.weekday()) % 7)
    return datetime.combine(first, clock)


def rotation_member(layer: Layer, zone: ZoneInfo, at: datetime) -> str:
    turn = (_local(at, zone) - _anchor(layer)) // layer.rotation.period
    return layer.members[turn % len(layer.members)]


def _in_window(layer: Layer, zone: ZoneInfo, at: datetime) -> bool:
    return layer.only is None or layer.only.window.holds(_local(at, zone))


def _active(found: Sequence[Cover], layer: str | None, at: datetime) -> Cover | None:
    """The newest cover for `layer` that holds `at`."""
    for cover in reversed(found):
        if cover.layer == layer and cover.starts_at <= at < cover.ends_at:
            return cover
    return None


def layer_duty(tenant: Tenant, layer: Layer, found: Sequence[Cover], at: datetime) -> Duty:
    cover = _active(found, layer.name, at)
    if cover is not None:
        return Duty(cover.email, layer.name, override=True)
    zone = zone_of(tenant, layer)
    if not _in_window(layer, zone, at):
        return Duty(None, layer.name)
    return Duty(rotation_member(layer, zone, at), layer.name)


def on_call(tenant: Tenant, found: Sequence[Cover], at: datetime) -> Duty:
    """The tenant's on-call person: a tenant-wide cover, else the first layer that is on."""
    cover = _active(found, None, at)
    if cover is not None:
        return Duty(cover.email, None, override=True)
    for layer in tenant.schedules:
        duty = layer_duty(tenant, layer, found, at)
        if duty.email is not None:
            return duty
    return Duty(None)


def _handoffs(layer: Layer, first: datetime, last: datetime) -> Iterable[datetime]:
    anchor, period = _anchor(layer), layer.rotation.period
    moment = anchor + ((first - anchor) // period + 1) * period
    while moment <= last:
        yield moment
        moment += period


def _layer_changes(tenant: Tenant, layer: Layer, start: datetime, end: datetime) -> set[datetime]:
    """UTC instants in (start, end] where the layer's rotation or window may change."""
    zone = zone_of(tenant, layer)
    first, last = _local(start, zone), _local(end, zone)
    naive = set(_handoffs(layer, first, last))
    if layer.only is not None:
        days: tuple[date, date] = (first.date() - timedelta(days=1), last.date())
        naive.update(layer.only.window.edges(*days))
    return {_utc(moment, zone) for moment in naive}


def changes(tenant: Tenant, layers: Sequence[Layer], found: Sequence[Cover],
            start: datetime, horizon: timedelta = HORIZON) -> list[datetime]:
    """Sorted instants after `start` where an answer about `layers` may change."""
    end = start + horizon
    moments: set[datetime] = set()
    for layer in layers:
        moments |= _layer_changes(tenant, layer, start, end)
    for cover in found:
        moments |= {cover.starts_at, cover.ends_at}
    return sorted(m for m in moments if start < m <= end)


def turn(tenant: Tenant, found: Sequence[Cover], at: datetime, layer: Layer | None = None,
         horizon: timedelta = HORIZON) -> Turn:
    """Who is on at `at` (the tenant, or one layer), until when, and who comes next."""

    def duty(moment: datetime) -> Duty:
        if layer is None:
            return on_call(tenant, found, moment)
        return layer_duty(tenant, layer, found, moment)

    current = duty(at)
    until = None
    layers = tenant.schedules if layer is None else [layer]
    for moment in changes(tenant, layers, found, at, horizon):
        upcoming = duty(moment)
        if upcoming.email == current.email:
            continue
        until = until or moment
        if upcoming.email is not None:
            return Turn(current, until, upcoming, moment)
    return Turn(current, until, None, None)
