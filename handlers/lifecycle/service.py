"""Runs a command as one unit of work, retrying when a concurrent writer won or the
database had dropped the connection."""

from datetime import UTC, datetime

from handlers.commands import Command, Outcome, Result
from handlers.config.schema import TandemConfig
from handlers.lifecycle.dispatch import dispatch
from handlers.lifecycle.effects import Invalid
from handlers.people.refusals import record_refusal
from handlers.people.resolve import resolve
from storage import queries
from storage.db import Database
from storage.errors import Conflict, Disconnected, translated

_ATTEMPTS = 5


async def execute(
    db: Database, cfg: TandemConfig, cmd: Command, now: datetime | None = None
) -> Result:
    """Apply `cmd`; a lost race is retried on fresh state, so the loser learns who won,
    and so is a unit that met a dropped connection (after a database restart)."""
    for _ in range(_ATTEMPTS):
        try:
            with translated():
                async with db.transaction() as session:
                    return await dispatch(session, cfg, cmd, now or datetime.now(UTC))
        except Invalid as error:
            await _audit_invalid(db, cfg, cmd, str(error), now or datetime.now(UTC))
            return Result(Outcome.INVALID, str(error))
        except (Conflict, Disconnected):
            continue
    return Result(Outcome.CONFLICT, f"{cmd.alert} is busy; try again in a moment.")


async def _audit_invalid(db: Database, cfg: TandemConfig, cmd: Command, reason: str,
                         now: datetime) -> None:
    """A command refused for its arguments changed nothing (its unit was undone); the
    refusal is written in a unit of its own. Only a member of the alert's tenant gets
    this far, so it goes to that tenant's chain."""
    async with db.transaction() as session:
        alert = await queries.alert_by_short_id(session, cmd.alert)
        record_refusal(session, at=now, who=cmd.actor, actor=resolve(cfg, cmd.actor),
                       verb=cmd.verb.value, reason=reason,
                       tenant_id=alert.tenant_id if alert else None,
                       alert=alert.short_id if alert else cmd.alert,
                       status=alert.status if alert else None)
