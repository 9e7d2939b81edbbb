"""The month's fixes: proposed by, decided by, what became of them, and how long the
alert took to be contained (first seen to executed, or done by hand)."""

from datetime import datetime

from handlers.config.schema import TandemConfig
from handlers.evidence.names import Names
from handlers.evidence.sentences import fix_name
from handlers.evidence.view import Remediation
from storage import evidence as E
from storage.evidence_actions import FixRow, fixes
from storage.unit import Session

# A fix's stored status, as the report says it; "approved" waits to be carried out
# (queued for its executor, or by hand).
OUTCOMES = {"done": "done by hand"}
FINISHED = ("executed", "failed")
CONTAINED = ("executed", "done")


def _remediation(cfg: TandemConfig, names: Names, row: FixRow,
                 by_hand: dict[str, datetime]) -> Remediation:
    finished = row.finished_at if row.status in FINISHED else by_hand.get(row.alert) if (
        row.status == "done") else None
    contained = (finished - row.first_seen).total_seconds() if (
        finished is not None and row.status in CONTAINED) else None
    decided = names.name(row.decided_by) if row.decided_by else None
    return Remediation(row.alert, fix_name(cfg, row.action_id, row.target),
                       names.name(row.proposed_by), row.proposer_side, row.proposed_at,
                       decided, row.decided_at, OUTCOMES.get(row.status, row.status),
                       finished, contained)


async def remediations(session: Session, cfg: TandemConfig, names: Names, tenant_id: str,
                       starts: datetime, ends: datetime,
                       now: datetime) -> tuple[Remediation, ...]:
    """The fixes proposed in the month, oldest first. A fix done by hand finished when
    its alert's latest "done" event was recorded."""
    rows = await fixes(session, tenant_id, starts, ends)
    manual = sorted({r.alert for r in rows if r.status == "done"})
    done = await E.events_of_alerts(session, tenant_id, manual, now, verbs=("done",))
    by_hand = {e.alert: e.at for e in done if e.alert}
    return tuple(_remediation(cfg, names, row, by_hand) for row in rows)
