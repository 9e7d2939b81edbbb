"""The monthly report's files and the record of which channels each was queued for.

A file is read back in two ways: `about` (what it is, without its bytes: the outbox row
and the link checks need no more) and `content` (the bytes, for an upload or a download).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.errors import translated
from storage.models import AuditEvent
from storage.report_models import ReportFile, ReportSent


@dataclass(frozen=True)
class ReportInfo:
    id: str
    tenant_id: str
    month: str  # "2026-11"
    size: int
    sha256: str


_INFO = (col(ReportFile.id), col(ReportFile.tenant_id), col(ReportFile.month),
         col(ReportFile.size), col(ReportFile.sha256))


async def find(session: AsyncSession, tenant_id: str, month: str) -> ReportInfo | None:
    """The month's stored report of the tenant, if it was generated."""
    query = select(*_INFO).where(col(ReportFile.tenant_id) == tenant_id,
                                 col(ReportFile.month) == month)
    row = (await session.execute(query)).one_or_none()
    return ReportInfo(*row) if row else None


async def about(session: AsyncSession, report_id: str) -> ReportInfo | None:
    row = (await session.execute(select(*_INFO).where(col(ReportFile.id) == report_id))
           ).one_or_none()
    return ReportInfo(*row) if row else None


async def content(session: AsyncSession, report_id: str) -> bytes | None:
    query = select(col(ReportFile.content)).where(col(ReportFile.id) == report_id)
    return (await session.execute(query)).scalar_one_or_none()


async def save(session: AsyncSession, tenant_id: str, month: str, pdf: bytes,
               now: datetime) -> ReportInfo:
    """Store the month's report under a new random id; raises Conflict when another
    process stored that month's first (tenant and month are unique)."""
    info = ReportInfo(secrets.token_urlsafe(24), tenant_id, month, len(pdf),
                      hashlib.sha256(pdf).hexdigest())
    session.add(ReportFile(id=info.id, tenant_id=tenant_id, month=month, sha256=info.sha256,
                           size=info.size, content=pdf, created_at=now))
    with translated():
        await session.flush()
    return info


async def sent(session: AsyncSession, tenant_id: str, month: str, platform: str,
               channel: str) -> bool:
    """Whether the month's report is recorded as queued for the channel."""
    key = (tenant_id, month, platform, channel)
    return await session.get(ReportSent, key) is not None


async def record_sent(session: AsyncSession, tenant_id: str, month: str, platform: str,
                      channel: str, report_id: str, now: datetime) -> None:
    """Record the month's report as queued for the channel; raises Conflict when another
    process recorded it first."""
    session.add(ReportSent(tenant_id=tenant_id, month=month, platform=platform,
                           channel=channel, report_id=report_id, sent_at=now))
    with translated():
        await session.flush()


async def audit_began(session: AsyncSession, tenant_id: str) -> datetime | None:
    """When the tenant's audit log begins (its first event), None while it is empty; one
    step down the (tenant_id, seq) unique index."""
    query = (select(col(AuditEvent.at)).where(col(AuditEvent.tenant_id) == tenant_id)
             .order_by(col(AuditEvent.seq)).limit(1))
    return (await session.execute(query)).scalar_one_or_none()
