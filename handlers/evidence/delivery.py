"""The monthly report, posted into the tenant's channels on the first day of the month.

`send_due` runs from the tenant's cron job (the first of the month at the tenant's digest
time, or 08:00 local without a digest, then hourly until the local day ends, so a failed
generation is tried again that day) and from the start-up catch-up (also run by a
replica that takes the lead). It acts only on the first local day of a month,
from the send time on, and reports the month before.

A month is reported only when the tenant's audit log began before that month ended:
a fresh install, started on the 1st after the send time (or before it), sends no report
for a month it never ran. It is the same rule on schedule and at start-up.

Exactly once across replicas (only the leader runs the jobs; the keys below hold even if
two ran at once): the PDF is generated while some channel still lacks it and stored once
per tenant and month (`report_file`'s unique key; a run that loses that race leaves the
channels to the winner, or to the next run); then each channel's report is one unit of
work writing a `report_sent` row (its key: tenant, month, platform, channel) with an
outbox row of kind "report" that names the stored file, never its bytes.
"""

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from handlers.config.schema import Channel, TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.fanout import message_row
from handlers.timing.parse import parse_clock
from storage import reports as R
from storage.errors import Conflict
from storage.unit import Store

MakePdf = Callable[[str, str], Awaitable[bytes]]  # (tenant id, "2026-11") -> the PDF
DEFAULT_AT = time(8, 0)  # the send time of a tenant without a digest
KIND = "report"


def send_time(tenant: TenantConfig) -> time:
    """The tenant's digest time, or 08:00 local without a digest."""
    return parse_clock(tenant.digest.at) if tenant.digest else DEFAULT_AT


def _first_of_month(local: datetime) -> datetime:
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def due_month(tenant: TenantConfig, now: datetime) -> str | None:
    """The month ("2026-11") whose report is due at `now`: the one before, on the first
    local day of a month from the send time on; else None."""
    local = now.astimezone(ZoneInfo(tenant.timezone))
    if local.day != 1 or local.time() < send_time(tenant):
        return None
    last = date(local.year - (local.month == 1), (local.month - 2) % 12 + 1, 1)
    return f"{last.year:04d}-{last.month:02d}"


def report_channels(tenant: TenantConfig) -> list[Channel]:
    """The digest's channels (all of the tenant's when the digest names none, or there is
    no digest)."""
    chosen = set(tenant.digest.channels) if tenant.digest else set()
    return [c for c in tenant.channels if not chosen or c.channel in chosen]


async def _waiting(db: Store, tenant: TenantConfig, month: str,
                   month_end: datetime) -> list[Channel]:
    """The channels still without the month's report; none when the tenant's audit log
    began only after the month ended (Tandem never ran that month)."""
    async with db.read() as session:
        began = await R.audit_began(session, tenant.id)
        if began is None or began >= month_end:
            return []
        return [c for c in report_channels(tenant)
                if not await R.sent(session, tenant.id, month, c.platform, c.channel)]


def _pdf(made: object, tenant_id: str, month: str) -> bytes:
    if not isinstance(made, bytes) or not made.startswith(b"%PDF-"):
        raise ValueError(f"the report of {tenant_id} for {month} is not a PDF; nothing was sent")
    return made


async def stored(db: Store, tenant_id: str, month: str, now: datetime,
                 make_pdf: MakePdf) -> R.ReportInfo | None:
    """The month's stored report, generated and stored first when there is none; None
    when another run stored it meanwhile (that run queues the channels)."""
    async with db.read() as session:
        found = await R.find(session, tenant_id, month)
    if found is not None:
        return found
    pdf = _pdf(await make_pdf(tenant_id, month), tenant_id, month)
    try:
        async with db.unit() as uow:
            return await R.save(await uow.session(), tenant_id, month, pdf, now)
    except Conflict:
        return None


async def _queue(db: Store, tenant: TenantConfig, channel: Channel, report: R.ReportInfo,
                 now: datetime) -> bool:
    where = (tenant.id, report.month, channel.platform, channel.channel)
    try:
        async with db.unit() as uow:
            session = await uow.session()
            if await R.sent(session, *where):
                return False
            await R.record_sent(session, *where, report.id, now)
            uow.outbox([message_row(tenant.id, None, KIND, channel.platform, channel.channel,
                                    {"report": report.id, "month": report.month}, now)])
    except Conflict:  # another process queued this channel's report first
        return False
    return True


async def send_due(db: Store, cfg: TandemConfig, tenant_id: str, now: datetime,
                   make_pdf: MakePdf) -> int:
    """Queue last month's report for each of the tenant's channels not yet served, when
    due (see the module's docstring); returns how many."""
    tenant = cfg.tenant(tenant_id)
    month = due_month(tenant, now) if tenant else None
    if tenant is None or month is None:
        return 0
    local = now.astimezone(ZoneInfo(tenant.timezone))
    waiting = await _waiting(db, tenant, month, _first_of_month(local))
    if not waiting:
        return 0
    report = await stored(db, tenant.id, month, now, make_pdf)
    if report is None:
        return 0
    return sum([await _queue(db, tenant, c, report, now) for c in waiting])


async def catch_up(db: Store, cfg: TandemConfig, now: datetime, make_pdf: MakePdf) -> int:
    """At start-up (and when a replica takes the lead): every report due today and not yet
    queued. Only on a month's first local day: a report missed for a whole day is left
    to `tandem report` by hand."""
    return sum([await send_due(db, cfg, t.id, now, make_pdf) for t in cfg.tenants])
