"""Read-only queries for the CLI and chat commands, scoped to what a person may see.

Each returns its result, or a sentence saying why there is none.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands import Identity
from handlers.config import TandemConfig
from handlers.people import Actor, not_known, resolve
from handlers.viewing import alert_view, history_entry
from handlers.views import AlertView, HistoryEntry
from storage import queries
from storage.db import Database
from storage.models import Alert

LIVE = (
    "open",
    "claimed",
    "remediation_pending",
    "remediation_approved",
    "remediation_rejected",
    "snoozed",
)
STATES = ("open", "mine", "unclaimed", "all")


def _viewer(cfg: TandemConfig, email: str | None) -> Actor | None | str:
    if email is None:
        return None
    actor = resolve(cfg, Identity(email=email))
    return actor or not_known(Identity(email=email))


async def _visible(
    session: AsyncSession, cfg: TandemConfig, email: str | None, short_id: str
) -> Alert | str:
    viewer = _viewer(cfg, email)
    if isinstance(viewer, str):
        return viewer
    alert = await queries.alert_by_short_id(session, short_id)
    if alert is None or (viewer and alert.tenant_id not in viewer.tenants):
        return f"No alert {short_id.upper()}" + (" in your tenants." if viewer else ".")
    return alert


async def list_alerts(
    db: Database,
    cfg: TandemConfig,
    tenant: str | None,
    state: str,
    email: str | None,
    limit: int = 50,
) -> list[AlertView] | str:
    if state not in STATES:
        return f"Unknown list {state!r}; use one of: {', '.join(STATES)}."
    async with db.read() as session:
        viewer = _viewer(cfg, email)
        if isinstance(viewer, str):
            return viewer
        if state == "mine" and viewer is None:
            return "Listing 'mine' needs --as with your email."
        tenants = sorted(viewer.tenants) if viewer else [t.id for t in cfg.tenants]
        if tenant:
            if tenant not in tenants:
                return f"No tenant {tenant!r} among yours."
            tenants = [tenant]
        rows = await queries.list_alerts(
            session,
            tenants,
            statuses=None if state == "all" else LIVE,
            owner=viewer.email if state == "mine" else None,
            unowned=state == "unclaimed",
            limit=limit,
        )
        return [await alert_view(session, cfg, row) for row in rows]


async def show_alert(
    db: Database, cfg: TandemConfig, short_id: str, email: str | None
) -> AlertView | str:
    async with db.read() as session:
        alert = await _visible(session, cfg, email, short_id)
        return alert if isinstance(alert, str) else await alert_view(session, cfg, alert)


async def alert_history(
    db: Database, cfg: TandemConfig, short_id: str, email: str | None
) -> tuple[AlertView, list[HistoryEntry]] | str:
    async with db.read() as session:
        alert = await _visible(session, cfg, email, short_id)
        if isinstance(alert, str):
            return alert
        events = await queries.history(session, alert.tenant_id, alert.short_id)
        return await alert_view(session, cfg, alert), [history_entry(e) for e in events]
