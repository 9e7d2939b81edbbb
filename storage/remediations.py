"""Fixes proposed for alerts: adding one, and the approval reminders' statements.

The reminder tick reads the latest pending fix of each alert still awaiting approval
(on PostgreSQL with FOR UPDATE SKIP LOCKED, so concurrent ticks share the work), and
changes each fix with an UPDATE fenced on its status (and, for a reminder, on not
having been reminded), so concurrent ticks act once.
"""

from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.models import Alert, Remediation
from storage.results import rowcount


def propose(session: AsyncSession, alert_id: int, action_id: str, note: str, proposed_by: str,
            proposer_side: str, needs_internal_approver: bool, at: datetime,
            target: dict[str, str] | None = None) -> None:
    """Add a pending fix to the unit of work; it is written with the alert's change."""
    session.add(Remediation(alert_id=alert_id, action_id=action_id, note=note,
                            proposed_by=proposed_by, proposer_side=proposer_side,
                            needs_internal_approver=needs_internal_approver, proposed_at=at,
                            target=target or {}))


async def due_decisions(session: AsyncSession, awaiting: str, remind_by: datetime,
                        expire_by: datetime, size: int) -> list[tuple[Remediation, Alert]]:
    """The latest pending fixes of alerts in status `awaiting`, proposed by `remind_by`
    and not reminded yet, or proposed by `expire_by`; oldest first, locked, as stored now."""
    later = aliased(Remediation)
    latest = select(func.max(later.id)).where(col(later.alert_id) == Alert.id).scalar_subquery()
    query = (
        select(Remediation, Alert)
        .join(Alert, col(Alert.id) == Remediation.alert_id)
        .where(col(Remediation.status) == "pending", col(Remediation.proposed_at) <= remind_by,
               or_(col(Remediation.reminded_at).is_(None),
                   col(Remediation.proposed_at) <= expire_by),
               col(Alert.status) == awaiting, col(Remediation.id) == latest)
        .order_by(col(Remediation.proposed_at))
        .limit(size)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return [(fix, alert) for fix, alert in await session.execute(query)]


async def mark_reminded(session: AsyncSession, remediation_id: int, alert_id: int,
                        at: datetime) -> bool:
    """Record the reminder of a fix still pending and not reminded, and move its alert's
    version on (the card shows the reminder); False when another tick did it first."""
    done = await session.execute(
        update(Remediation)
        .where(col(Remediation.id) == remediation_id, col(Remediation.status) == "pending",
               col(Remediation.reminded_at).is_(None))
        .values(reminded_at=at)
    )
    if rowcount(done) != 1:
        return False
    await session.execute(update(Alert).where(col(Alert.id) == alert_id)
                          .values(version=Alert.version + 1))
    return True


async def expire(session: AsyncSession, remediation_id: int, at: datetime, reason: str) -> bool:
    """Mark a fix still pending as expired; False when it was decided first."""
    done = await session.execute(
        update(Remediation).where(col(Remediation.id) == remediation_id,
                                  col(Remediation.status) == "pending")
        .values(status="expired", decided_at=at, decision_reason=reason)
    )
    return rowcount(done) == 1
