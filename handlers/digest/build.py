"""The daily digest: built from SQL aggregates, sent once per channel per local day.

`send_due` runs from the tenant's cron job and again at start-up (a digest missed
while the process was down goes out if the local day is not over). Each channel's
digest is one unit of work writing a `digest_sent` row (its key: tenant, channel,
local date) together with the outbox row, so with several processes, or a restart
in the send window, exactly one of them commits it and the others skip.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.config.schema import Channel, TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.digest.payload import to_payload
from handlers.enums import Severity, Side, Status
from handlers.fanout import message_row
from handlers.people.resolve import person_view
from handlers.timing.parse import parse_clock
from handlers.views import (
    DigestAlert,
    DigestApproval,
    DigestView,
    PersonView,
    ResponseTimes,
    SlaBreaches,
    SourceNoise,
)
from storage import digest as Q
from storage.errors import Conflict
from storage.models import Alert, Person, Remediation
from storage.unit import Session, Store

LIST_LIMIT = 5
DEFAULT_PERIOD = timedelta(days=1)


def _alert(alert: Alert, owner: Person | None, tenant: TenantConfig,
           until: datetime) -> DigestAlert:
    limit = tenant.ack_sla.limit(Severity(alert.severity))
    late = owner is None and limit is not None and until - alert.first_seen > limit
    return DigestAlert(alert.short_id, alert.title, Severity(alert.severity),
                       Status(alert.status), alert.first_seen,
                       person_view(owner) if owner else None, late)


def _times(side: str, acks: tuple[int, float], fixes: tuple[int, float]) -> ResponseTimes:
    return ResponseTimes(side, acks[0], acks[1] / acks[0] if acks[0] else None,
                         fixes[0], fixes[1] / fixes[0] if fixes[0] else None)


Tally = Mapping[str | None, tuple[int, float]]  # (count, seconds) by side


def _response(acks: Tally, fixes: Tally) -> tuple[ResponseTimes, ...]:
    def total(found: Tally) -> tuple[int, float]:
        return sum(n for n, _ in found.values()), sum(s for _, s in found.values())

    empty = (0, 0.0)
    return (_times("all", total(acks), total(fixes)),
            *(_times(s.value, acks.get(s.value, empty), fixes.get(s.value, empty)) for s in Side))


def _approval(cfg: TandemConfig, alert: Alert, row: Remediation,
              proposer: Person | None) -> DigestApproval:
    fix = cfg.remediation(row.action_id)
    who = person_view(proposer) if proposer else PersonView(
        row.proposed_by, row.proposed_by, Side(row.proposer_side))
    return DigestApproval(alert.short_id, fix.title if fix else row.action_id, who,
                          row.proposed_at, row.needs_internal_approver)


async def _breaches(session: Session, tenant: TenantConfig, since: datetime,
                    until: datetime) -> tuple[SlaBreaches, ...]:
    found = []
    for severity in Severity:
        limit = tenant.ack_sla.limit(severity)
        if limit is None:
            continue
        n = await Q.sla_breaches(session, tenant.id, severity, limit, since, until,
                                 Status.SILENCED)
        if n:
            found.append(SlaBreaches(severity, n, int(limit.total_seconds())))
    return tuple(found)


async def build(session: Session, cfg: TandemConfig, tenant: TenantConfig,
                since: datetime, until: datetime) -> DigestView:
    t = tenant.id
    acks = await Q.response_sums(session, t, "claimed_at", since, until)
    fixes = await Q.response_sums(session, t, "resolved_at", since, until)
    unclaimed = await Q.oldest(session, t, (Status.OPEN,), LIST_LIMIT)
    live = await Q.oldest(session, t, Status.working(), LIST_LIMIT)
    approvals = await Q.pending_approvals(session, t, Status.REMEDIATION_PENDING, LIST_LIMIT)
    noisy = await Q.noisiest(session, t, since, until, LIST_LIMIT)
    return DigestView(
        t, tenant.name, tenant.timezone, since, until,
        **await Q.counts(session, t, since, until, Status.working(), Status.OPEN),
        oldest_unclaimed=tuple(_alert(a, p, tenant, until) for a, p in unclaimed),
        oldest_open=tuple(_alert(a, p, tenant, until) for a, p in live),
        pending_approvals=tuple(_approval(cfg, a, r, p) for a, r, p in approvals),
        sla_breaches=await _breaches(session, tenant, since, until),
        response=_response(acks, fixes),
        noisiest=tuple(SourceNoise(*row) for row in noisy),
    )


def _channels(tenant: TenantConfig) -> list[Channel]:
    chosen = set(tenant.digest.channels) if tenant.digest else set()
    return [c for c in tenant.channels if not chosen or c.channel in chosen]


def due_day(tenant: TenantConfig, now: datetime) -> date | None:
    """The local date whose digest is due at `now`, or None before today's send time."""
    if tenant.digest is None:
        return None
    local = now.astimezone(ZoneInfo(tenant.timezone))
    return local.date() if local.time() >= parse_clock(tenant.digest.at) else None


async def _send_one(db: Store, cfg: TandemConfig, tenant: TenantConfig, channel: Channel,
                    day: date, now: datetime, missed: bool) -> bool:
    where = (tenant.id, channel.platform, channel.channel)
    try:
        async with db.unit() as uow:
            session = await uow.session()
            if await Q.sent(session, *where, day):
                return False
            last = await Q.last_sent(session, *where)
            if missed and last is None:  # never sent here: nothing was missed
                return False
            view = await build(session, cfg, tenant, last or now - DEFAULT_PERIOD, now)
            await Q.record_sent(session, *where, day, now)
            uow.outbox([message_row(tenant.id, None, "digest", channel.platform, channel.channel,
                                    to_payload(view), now)])
    except Conflict:  # another process committed this channel's digest first
        return False
    return True


async def send_due(db: Store, cfg: TandemConfig, tenant_id: str, now: datetime, *,
                   missed: bool = False) -> int:
    """Queue today's digest for each of the tenant's channels not yet sent; returns how
    many. `missed`: only where a digest went out before (a catch-up)."""
    tenant = cfg.tenant(tenant_id)
    day = due_day(tenant, now) if tenant else None
    if tenant is None or day is None:
        return 0
    return sum([await _send_one(db, cfg, tenant, c, day, now, missed)
                for c in _channels(tenant)])


async def catch_up(db: Store, cfg: TandemConfig, now: datetime) -> int:
    """At start-up: send every digest that is due today and was missed. A channel that
    never had one missed nothing: a fresh install waits for the next send time."""
    return sum([await send_due(db, cfg, t.id, now, missed=True)
                for t in cfg.tenants if t.digest])


async def preview(db: Store, cfg: TandemConfig, tenant_id: str,
                  now: datetime) -> DigestView | str:
    """The digest as it would be sent now, without sending or recording anything."""
    tenant = cfg.tenant(tenant_id)
    if tenant is None:
        return f"Unknown tenant {tenant_id!r}; known: {', '.join(t.id for t in cfg.tenants)}."
    async with db.read() as session:
        channels = _channels(tenant)
        first = channels[0] if channels else None
        since = await Q.last_sent(session, tenant.id, first.platform,
                                  first.channel) if first else None
        return await build(session, cfg, tenant, since or now - DEFAULT_PERIOD, now)
