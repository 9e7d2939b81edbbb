"""Query functions the domain uses; every one takes the unit of work's session."""

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import BindParameter, bindparam, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import (
    RESOLVED,
    Alert,
    AuditEvent,
    CommandKey,
    Person,
    PersonIdentity,
    Remediation,
    Tenant,
    table_of,
)
from storage.storm_models import StormAlert

# Spelled exactly as the partial unique index's predicate, literal and not a bound
# parameter, so SQLite can prove the index applies and use it.
LIVE = col(Alert.status) != literal_column(f"'{RESOLVED}'")
T = TypeVar("T")


def _held(session: AsyncSession, row: T) -> T:
    """Keep `row` referenced until the unit of work ends. The session's identity map
    holds rows weakly: a tenant or person nobody references any more is dropped, and
    the next lookup of the same row (a command asks for its tenant and people several
    times) would go back to the database."""
    if row is not None:
        session.info.setdefault("held", {})[id(row)] = row
    return row


async def tenant(session: AsyncSession, tenant_id: str) -> Tenant | None:
    return _held(session, await session.get(Tenant, tenant_id))


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return _held(session, await session.get(Person, email.lower()))


async def identities(session: AsyncSession, email: str) -> dict[str, str]:
    """A person's chat accounts, {platform: key}."""
    query = select(col(PersonIdentity.platform), col(PersonIdentity.key)).where(
        col(PersonIdentity.person_email) == email.lower())
    return {platform: key for platform, key in (await session.execute(query)).all()}


async def people(session: AsyncSession, emails: Sequence[str]) -> dict[str, Person]:
    if not emails:
        return {}
    rows = (await session.execute(select(Person).where(col(Person.email).in_(emails)))).scalars()
    return {p.email: p for p in rows}


_ALERT_BY_SHORT_ID = select(Alert).where(col(Alert.short_id) == bindparam("short_id"))


async def alert_by_short_id(session: AsyncSession, short_id: str) -> Alert | None:
    found = await session.execute(_ALERT_BY_SHORT_ID, {"short_id": short_id.upper()})
    return found.scalar_one_or_none()


async def latest_remediation(session: AsyncSession, alert_id: int) -> Remediation | None:
    query = (
        select(Remediation)
        .where(col(Remediation.alert_id) == alert_id)
        .order_by(col(Remediation.id).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def awaited_remediation(session: AsyncSession, alert_id: int) -> Remediation:
    """The latest fix of an alert whose status says a fix awaits a decision: there is one,
    as proposing a fix is what put the alert in that status."""
    row = await latest_remediation(session, alert_id)
    if row is None:
        raise LookupError(f"alert {alert_id} awaits a decision on a fix it does not have")
    return row


async def list_alerts(
    session: AsyncSession,
    tenant_ids: Sequence[str],
    statuses: Sequence[str] | None = None,
    owner: str | None = None,
    unowned: bool = False,
    limit: int = 50,
    storm: int | None = None,
) -> list[Alert]:
    query = select(Alert).where(col(Alert.tenant_id).in_(tenant_ids))
    if storm is not None:  # the alerts that joined this storm
        query = query.where(col(Alert.id).in_(
            select(col(StormAlert.alert_id)).where(col(StormAlert.storm_id) == storm)))
    if statuses:
        query = query.where(col(Alert.status).in_(statuses))
    if owner:
        query = query.where(col(Alert.owner_email) == owner)
    if unowned:
        query = query.where(col(Alert.owner_email).is_(None))
    query = query.order_by(col(Alert.id).desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def history(session: AsyncSession, tenant_id: str, short_id: str) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.tenant_id) == tenant_id, col(AuditEvent.alert) == short_id)
        .order_by(col(AuditEvent.seq))
    )
    return list((await session.execute(query)).scalars())


async def live_alert(session: AsyncSession, tenant_id: str, fingerprint: str) -> Alert | None:
    """The unresolved alert with this fingerprint, if any (at most one exists)."""
    query = select(Alert).where(
        col(Alert.tenant_id) == tenant_id, col(Alert.fingerprint) == fingerprint, LIVE
    )
    return (await session.execute(query)).scalar_one_or_none()


# Intake runs these for every group of events; built once, they are only executed.
_KEYS: BindParameter[list[str]] = bindparam("keys", expanding=True)
_RESOLVED_SINCE = (
    select(Alert)
    .where(col(Alert.tenant_id) == bindparam("tenant"), col(Alert.fingerprint).in_(_KEYS),
           col(Alert.status) == "resolved", col(Alert.resolved_at) >= bindparam("since"))
    .order_by(col(Alert.id))
)


async def resolved_since(session: AsyncSession, tenant_id: str, keys: set[str],
                         since: datetime) -> dict[str, Alert]:
    """The latest alert of each fingerprint resolved at or after `since`."""
    if not keys:
        return {}
    found = await session.execute(
        _RESOLVED_SINCE, {"tenant": tenant_id, "keys": list(keys), "since": since})
    return {a.fingerprint: a for a in found.scalars()}


# One statement for "seen this key before?" and "remember it": on PostgreSQL a
# concurrent replay waits on the first one's key and then finds it.
def _remember(insert):
    table = table_of(CommandKey)
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)


_REMEMBER = {"postgresql": _remember(postgresql.insert), "sqlite": _remember(sqlite.insert)}


async def remember_key(session: AsyncSession, key: str, tenant_id: str, at: datetime) -> bool:
    """Record a command's idempotency key; False when it was recorded before (a replay)."""
    stored = await session.execute(_REMEMBER[session.get_bind().dialect.name],
                                   {"key": key, "tenant_id": tenant_id, "at": at})
    return stored.first() is not None
