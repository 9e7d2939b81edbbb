"""What the executor worker learnt, recorded: the execution's status, its fix's status,
the audit log and the card.

Each step is one unit of work, fenced on the worker still holding the execution's
lease (a replica that lost it to a takeover records nothing). A change of state is
audited by the system actor, with the execution's id, its external id and the
platform's words, and re-renders the card with a note in its thread; a retry
re-renders the card ("retrying") without a note or an audit event per attempt.
"""

from dataclasses import dataclass
from datetime import datetime

from handlers.config.schema import TandemConfig
from handlers.escalation.pings import SYSTEM_ACTOR
from handlers.fanout import enqueue_card, record
from handlers.remediation.binding import described
from storage import executions
from storage.execution_models import Execution
from storage.models import Alert, Remediation
from storage.unit import UnitOfWork

# Execution status -> the fix's status, as cards and reports read it.
FIX_STATUS = {"running": "executing", "succeeded": "executed", "failed": "failed",
              "expired": "expired", "queued": "approved"}
_WORDS = {"running": "started", "succeeded": "executed", "failed": "failed",
          "expired": "not carried out: its approval ran out"}
DETAIL_LIMIT = 500


@dataclass(frozen=True)
class Step:
    """One answer: running (with when to look again), succeeded, failed, retrying (the
    platform was busy or unreachable: try again at `next_at`) or expired."""

    state: str
    detail: str = ""
    external_id: str | None = None
    next_at: datetime | None = None


async def record_step(uow: UnitOfWork, cfg: TandemConfig, execution_id: int, instance: str,
                      step: Step, now: datetime) -> bool:
    """Record `step` of an execution this instance holds; False when it holds it no more."""
    session = await uow.session()
    row = await executions.mine(session, execution_id, instance)
    if row is None:
        return False
    before, detail = row.status, step.detail[:DETAIL_LIMIT]
    after = _status_after(row, step)
    changed = after != before or detail != row.detail
    row.status, row.detail = after, detail
    if step.external_id:
        row.external_id = step.external_id[:DETAIL_LIMIT]
    if after in ("succeeded", "failed", "expired"):
        row.finished_at = now
    executions.release_at(row, step.next_at or now)
    fix = await session.get(Remediation, row.remediation_id) if row.remediation_id else None
    if fix is not None:
        fix.status = FIX_STATUS.get(after, fix.status)
    if not changed:
        return True
    alert = await session.get_one(Alert, row.alert_id)
    await executions.touch_alert(session, alert.id)
    told = after in _WORDS and (after != before or before == "launching")
    if told:
        _audit(uow, alert, row, now)
    enqueue_card(uow, cfg, alert, now, note=_note(row) if told else None)
    return True


def _status_after(row: Execution, step: Step) -> str:
    if step.state == "retrying":  # a launch refused for now is tried again from the start
        return "queued" if row.status == "launching" else row.status
    return step.state


def _what(row: Execution) -> str:
    return described(str(row.options.get("title") or row.kind), row.target)


def _note(row: Execution) -> str:
    said = f": {row.detail}" if row.detail and row.status == "failed" else ""
    return f"{_what(row)}: {_WORDS[row.status]}{said}"


def _audit(uow: UnitOfWork, alert: Alert, row: Execution, now: datetime) -> None:
    record(uow, alert, at=now, actor=SYSTEM_ACTOR, verb=f"execution.{row.status}",
           details={"execution": row.id, "kind": row.kind, "target": row.target,
                    "external_id": row.external_id, "detail": row.detail,
                    "attempts": row.attempts})
