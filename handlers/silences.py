"""Silences (maintenance windows): matching alerts are stored and audited, never posted."""

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.intake_types import AlertIn
from storage import pending
from storage.models import Silence


def parse_matchers(pairs: list[str]) -> dict[str, str]:
    """`key=value` strings into a dict; raises ValueError naming a bad one."""
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{pair!r} is not key=value")
        found[key.strip()] = value.strip()
    if not found:
        raise ValueError("a silence needs at least one key=value matcher")
    return found


def matches(matchers: dict[str, str], alert: AlertIn) -> bool:
    fields = {
        **alert.labels,
        "source": alert.source,
        "severity": alert.severity.value,
        "title": alert.title,
    }
    return all(fields.get(k) == v for k, v in matchers.items())


_ACTIVE = select(Silence).where(
    Silence.tenant_id == bindparam("tenant"),
    Silence.starts_at <= bindparam("at"),
    Silence.ends_at > bindparam("at"),
)


async def active(session: AsyncSession, tenant_id: str, at: datetime) -> list[Silence]:
    return list((await session.execute(_ACTIVE, {"tenant": tenant_id, "at": at})).scalars())


async def add(
    session: AsyncSession,
    tenant_id: str,
    matchers: dict[str, str],
    *,
    starts: datetime,
    ends: datetime,
    reason: str,
    actor: str,
) -> Silence:
    silence = Silence(
        tenant_id=tenant_id,
        matchers=matchers,
        reason=reason,
        created_by=actor,
        starts_at=starts,
        ends_at=ends,
    )
    session.add(silence)
    await session.flush()
    pending.audit_events(session, tenant_id, [dict(
        at=starts,
        actor=actor,
        verb="silence.add",
        details={
            "silence": silence.id,
            "matchers": matchers,
            "reason": reason,
            "until": ends.isoformat(),
        },
    )])
    return silence


async def expire(
    session: AsyncSession, tenant_id: str, silence_id: int, actor: str, at: datetime
) -> Silence | None:
    silence = await session.get(Silence, silence_id)
    if silence is None or silence.tenant_id != tenant_id:
        return None
    silence.ends_at = min(silence.ends_at, at)
    pending.audit_events(session, tenant_id, [dict(
        at=at,
        actor=actor,
        verb="silence.expire",
        details={"silence": silence.id},
    )])
    return silence
