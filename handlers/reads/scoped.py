"""Read-only queries for the CLI and chat commands, scoped to who reads.

Every read names its reader: a chat identity (resolved to a configured person, who sees
their tenants' alerts) or the CLI's Operator (every tenant). Each returns its result, or
a sentence saying why there is none; a stranger's or another tenant's attempt is audited.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.enums import Status
from handlers.people.operator import Operator
from handlers.people.refusals import record_refusal, unavailable
from handlers.people.resolve import Actor, not_known, resolve
from handlers.reads.build import alert_view, history_entry
from handlers.views import AlertView, HistoryEntry
from storage import queries
from storage.models import Alert
from storage.unit import Session, Store

STATES = ("open", "mine", "unclaimed", "all")

Reader = Identity | Operator


@dataclass(frozen=True)
class Refused:
    """Why a read found nothing to show: the sentence, and what to audit."""

    message: str
    actor: Actor | None
    alert: Alert | None = None


async def _audit(db: Store, who: Reader, refused: Refused, verb: str, asked: str) -> None:
    if isinstance(who, Operator):
        return
    async with db.unit() as uow:
        alert = refused.alert
        record_refusal(uow, at=datetime.now(UTC), who=who, actor=refused.actor,
                       verb=verb, reason=refused.message,
                       tenant_id=alert.tenant_id if alert else None,
                       alert=alert.short_id if alert else asked)


def _viewer(cfg: TandemConfig, who: Reader) -> Actor | Operator | Refused:
    if isinstance(who, Operator):
        return who
    actor = resolve(cfg, who)
    return actor or Refused(not_known(who, cfg), None)


async def _visible(session: Session, cfg: TandemConfig, who: Reader,
                   short_id: str) -> Alert | Refused:
    viewer = _viewer(cfg, who)
    alert = await queries.alert_by_short_id(session, short_id)
    if isinstance(viewer, Refused):
        return Refused(viewer.message, None, alert)
    if alert is None or (isinstance(viewer, Actor) and alert.tenant_id not in viewer.tenants):
        return Refused(unavailable(short_id), viewer if isinstance(viewer, Actor) else None,
                       alert)
    return alert


def _tenants(cfg: TandemConfig, viewer: Actor | Operator, tenant: str | None) -> list[str] | str:
    tenants = sorted(viewer.tenants) if isinstance(viewer, Actor) else [t.id for t in cfg.tenants]
    if tenant is None:
        return tenants
    if tenant not in tenants:
        return f"Tenant {tenant!r} is not available to you."
    return [tenant]


async def list_alerts(db: Store, cfg: TandemConfig, who: Reader, tenant: str | None,
                      state: str, limit: int = 50,
                      storm: int | None = None) -> list[AlertView] | str:
    if state not in STATES:
        return f"Unknown list {state!r}; use one of: {', '.join(STATES)}."
    viewer = _viewer(cfg, who)
    if isinstance(viewer, Refused):
        await _audit(db, who, viewer, "list", "")
        return viewer.message
    owner = None
    if state == "mine":
        if not isinstance(viewer, Actor):
            return "Listing 'mine' needs --as with your email."
        owner = viewer.email
    tenants = _tenants(cfg, viewer, tenant)
    if isinstance(tenants, str):
        return tenants
    async with db.read() as session:
        rows = await queries.list_alerts(
            session, tenants, statuses=None if state == "all" else Status.working(),
            owner=owner,
            unowned=state == "unclaimed", limit=limit, storm=storm,
        )
        return [await alert_view(session, cfg, row) for row in rows]


async def show_alert(db: Store, cfg: TandemConfig, who: Reader,
                     short_id: str) -> AlertView | str:
    async with db.read() as session:
        found = await _visible(session, cfg, who, short_id)
        if isinstance(found, Alert):
            return await alert_view(session, cfg, found)
    await _audit(db, who, found, "show", short_id)
    return found.message


async def alert_history(db: Store, cfg: TandemConfig, who: Reader,
                        short_id: str) -> tuple[AlertView, list[HistoryEntry]] | str:
    async with db.read() as session:
        found = await _visible(session, cfg, who, short_id)
        if isinstance(found, Alert):
            events = await queries.history(session, found.tenant_id, found.short_id)
            return await alert_view(session, cfg, found), [history_entry(e) for e in events]
    await _audit(db, who, found, "history", short_id)
    return found.message
