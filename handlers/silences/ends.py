"""Silenced alerts come back when their silence ends.

An alert remembers the silence that keeps it quiet (`silenced_by`). When that silence
is no longer in force (its end passed, it was expired, or a weekly window closed), each
of its alerts that is still silenced (the source has not resolved it meanwhile) moves to
another silence in force that matches it, or comes back: open, its card posted to the
tenant's channels, its escalation policy started as for a new alert, audited as
`silence.ended` by the system actor. Each change is one UPDATE fenced on the status and
the silence the alert had when read, so several replicas ticking bring an alert back once.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Status
from handlers.escalation import policy as P
from handlers.escalation.pings import SYSTEM_ACTOR
from handlers.fanout import enqueue_card, record
from handlers.silences import matching
from storage import silences as stored
from storage.models import Alert
from storage.unit import Session, Store, UnitOfWork

BATCH = 200


async def _come_back(uow: UnitOfWork, session: Session, cfg: TandemConfig, alert: Alert,
                     silence_id: int, now: datetime) -> bool:
    policy = P.policy_for(cfg.tenant(alert.tenant_id), alert.severity)
    due = P.due_after(policy, 0, now) if policy and alert.owner_email is None else None
    if not await stored.bring_back(session, alert.id, silence_id, Status.SILENCED, Status.OPEN,
                                   due, alert.escalation_generation):
        return False
    record(uow, alert, at=now, actor=SYSTEM_ACTOR, verb="silence.ended",
           from_status=Status.SILENCED, to_status=Status.OPEN, details={"silence": silence_id})
    enqueue_card(uow, cfg, alert, now, note="Silence ended")
    return True


async def release_batch(uow: UnitOfWork, cfg: TandemConfig, tenant: TenantConfig,
                        ended: list[int], now: datetime) -> tuple[int, bool]:
    """Up to BATCH alerts of the ended silences moved on or back; returns how many came
    back and whether more may be waiting."""
    session = await uow.session()
    in_force = await matching.active(session, tenant, now)
    found = await stored.held(session, ended, Status.SILENCED, BATCH)
    back = 0
    for alert in found:
        silence_id = alert.silenced_by
        if silence_id is None:  # stored.held reads only alerts one of `ended` holds
            raise RuntimeError(f"{alert.short_id} is released but no silence held it")
        fields = matching.fields_of(alert)
        other = next((s for s in in_force if matching.matches(s.matchers, fields)), None)
        if other is None:
            back += await _come_back(uow, session, cfg, alert, silence_id, now)
        else:
            await stored.hand_over(session, alert.id, silence_id, Status.SILENCED, other.id)
    return back, len(found) == BATCH


async def release(uow: UnitOfWork, cfg: TandemConfig, tenant: TenantConfig,
                  ended: list[int], now: datetime) -> int:
    """Every alert of the ended silences, in the caller's unit of work (a silence
    expired by hand brings its alerts back at once)."""
    total, more = 0, True
    while more:
        back, more = await release_batch(uow, cfg, tenant, ended, now)
        total += back
    return total


async def _ended(db: Store, cfg: TandemConfig, now: datetime) -> dict[str, list[int]]:
    """Silences no longer in force that still hold silenced alerts, by tenant."""
    async with db.read() as session:
        holding = await stored.holding(session, Status.SILENCED)
    ended: dict[str, list[int]] = {}
    for silence in holding:
        tenant = cfg.tenant(silence.tenant_id)
        if tenant and not matching.in_force(silence, ZoneInfo(tenant.timezone), now):
            ended.setdefault(tenant.id, []).append(silence.id)
    return ended


async def tick(db: Store, cfg: TandemConfig, now: datetime) -> int:
    """Bring back the alerts of every silence that has ended; returns how many came back."""
    total = 0
    for tenant_id, ended in (await _ended(db, cfg, now)).items():
        more = True
        while more:
            async with db.unit() as uow:
                back, more = await release_batch(uow, cfg, cfg.known_tenant(tenant_id), ended, now)
            total += back
    return total
