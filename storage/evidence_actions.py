"""The monthly report's reads of what people decided: fixes (with how their latest
execution ended) and silences."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.execution_models import Execution
from storage.models import Alert, Person, Remediation, Silence


class FixRow(NamedTuple):
    alert: str
    first_seen: datetime
    action_id: str
    target: dict[str, str]
    proposed_by: str
    proposer_side: str
    proposed_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    finished_at: datetime | None  # of its latest execution


async def fixes(session: AsyncSession, tenant: str, starts: datetime,
                ends: datetime) -> list[FixRow]:
    """The fixes proposed in [starts, ends) for the tenant's alerts, oldest first."""
    later = aliased(Execution)
    latest = (select(func.max(later.id)).where(col(later.remediation_id) == Remediation.id)
              .scalar_subquery())
    query = (
        select(col(Alert.short_id), col(Alert.first_seen), col(Remediation.action_id),
               col(Remediation.target), col(Remediation.proposed_by),
               col(Remediation.proposer_side), col(Remediation.proposed_at),
               col(Remediation.status), col(Remediation.decided_by),
               col(Remediation.decided_at), col(Execution.finished_at))
        .join(Alert, col(Alert.id) == Remediation.alert_id)
        .outerjoin(Execution, col(Execution.id) == latest)
        .where(col(Alert.tenant_id) == tenant, col(Remediation.proposed_at) >= starts,
               col(Remediation.proposed_at) < ends)
        .order_by(col(Remediation.proposed_at), col(Remediation.id))
    )
    return [FixRow(*row) for row in await session.execute(query)]


async def silences(session: AsyncSession, tenant: str, starts: datetime,
                   ends: datetime) -> list[Silence]:
    """The tenant's silences in force at some time in [starts, ends), oldest first."""
    query = (select(Silence)
             .where(col(Silence.tenant_id) == tenant, col(Silence.starts_at) < ends,
                    col(Silence.ends_at) > starts)
             .order_by(col(Silence.starts_at), col(Silence.id)))
    return list((await session.execute(query)).scalars())


async def people(session: AsyncSession) -> dict[str, tuple[str, str]]:
    """Everyone stored (configured people and those who have left the configuration):
    email -> (name, side). A deployment has hundreds of people at most."""
    query = select(col(Person.email), col(Person.name), col(Person.side))
    return {email: (name, side) for email, name, side in await session.execute(query)}
