"""The monthly incident-response report of one tenant, computed from its alerts, its
audit log, its fixes, silences and on-call schedule (see view.py for what each part
means, response.py for how response times are credited to sides).

`build` only reads, in the session it is given, and streams the month's alerts and
events: on PostgreSQL that needs a transaction, as `storage.evidence.reading(db)` (a
snapshot) or a unit of work's session give, not `Database.read()`. Its cost grows
with the month's alerts and events, not with the tenant's history.
"""

from datetime import datetime, timedelta

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Severity
from handlers.evidence.activity import silence
from handlers.evidence.counts import Tally
from handlers.evidence.events import read_month
from handlers.evidence.fixes import remediations
from handlers.evidence.incidents import incidents
from handlers.evidence.month import Month, NoReport, month_in
from handlers.evidence.names import Names
from handlers.evidence.oncall_hours import on_call_hours
from handlers.evidence.response import sla_breaches, times
from handlers.evidence.view import Checkpoint, Quiet, ReportView
from storage import evidence as E
from storage import evidence_actions as A
from storage.checkpoints import in_range as checkpoints_in
from storage.unit import Session


def tenant_of(cfg: TandemConfig, tenant_id: str) -> TenantConfig:
    tenant = cfg.tenant(tenant_id)
    if tenant is None:
        known = ", ".join(t.id for t in cfg.tenants)
        raise NoReport(f"Unknown tenant {tenant_id!r}; known: {known}.")
    return tenant


def _longest_sla(tenant: TenantConfig) -> timedelta:
    return max((limit for s in Severity if (limit := tenant.ack_sla.limit(s))),
               default=timedelta(0))


async def _quiet(session: Session, names: Names, tenant_id: str, month: Month,
                 snoozes: list[Quiet]) -> tuple[Quiet, ...]:
    rows = await A.silences(session, tenant_id, month.starts, month.ends)
    found = [silence(row, names) for row in rows] + snoozes
    return tuple(sorted(found, key=lambda q: (q.starts, q.kind, q.scope)))


async def _checkpoints(session: Session, tenant_id: str,
                       month: Month) -> tuple[Checkpoint | None, Checkpoint | None]:
    """The month's first and last signed checkpoints of the tenant's chain."""
    found = [Checkpoint(c.seq, c.hash, c.at, c.signature)
             for c in await checkpoints_in(session, tenant_id, month.starts, month.ends)]
    return (found[0], found[-1]) if found else (None, None)


async def build(session: Session, cfg: TandemConfig, tenant_id: str, month: str,
                now: datetime) -> ReportView:
    """The report of `month` ("2026-11", in the tenant's time zone) as of `now`; raises
    NoReport for an unknown tenant or a malformed month."""
    tenant = tenant_of(cfg, tenant_id)
    window = month_in(month, tenant.timezone)
    names = Names(cfg, await A.people(session))
    tally = Tally(window)
    async for batch in E.month_alerts(session, tenant.id, window.starts, window.ends):
        tally.add(batch)
    first_seen = tally.first_seen  # read_month adds the earlier alerts it replays
    events = await read_month(session, tenant.id, window, now, names, first_seen,
                              _longest_sla(tenant))
    acks, fixed = events.replay.samples(first_seen)
    first_checkpoint, last_checkpoint = await _checkpoints(session, tenant.id, window)
    return ReportView(
        tenant_id=tenant.id, tenant_name=tenant.name, month=window.name,
        timezone=tenant.timezone, starts=window.starts, ends=window.ends, generated_at=now,
        alerts=tally.total, resolved=len(fixed["all"]), days=tally.days(),
        mtta=times(acks), mttr=times(fixed),
        sla_breaches=sla_breaches(tenant, events.replay, tally.first_seen, tally.answerable,
                                  events.read_until),
        escalations=tuple(events.escalations),
        remediations=await remediations(session, cfg, names, tenant.id, window.starts,
                                        window.ends, now),
        quiet=await _quiet(session, names, tenant.id, window, events.snoozes),
        on_call=await on_call_hours(session, tenant, names, window.starts, window.ends),
        noisiest=tally.noisiest(),
        incidents=await incidents(session, cfg, names, tenant.id, window, now),
        first_checkpoint=first_checkpoint, last_checkpoint=last_checkpoint,
    )
