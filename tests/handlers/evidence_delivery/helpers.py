"""A stand-in PDF maker (the real one is handlers.evidence.build + cards.report.pdf), and
reads of what the monthly report left in the database."""

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from handlers.enums import Severity
from handlers.intake.ingest import ingest
from handlers.intake.types import AlertIn
from storage.outbox_models import Outbox
from storage.report_models import ReportFile, ReportSent

PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n"
       b"trailer <</Root 1 0 R>>\n%%EOF\n")
CHANNELS = [("slack", "C0OPS"), ("teams", "19:ops@thread.tacv2")]
# 08:30 GMT on Tuesday 1 December 2026: Acme's digest time, so its report is due.
DUE = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class Maker:
    """Makes PDF after `delay` seconds, recording each (tenant, month) asked for."""

    def __init__(self, pdf: bytes = PDF, delay: float = 0.0, fails: int = 0):
        self.pdf, self.delay, self.fails = pdf, delay, fails
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, tenant_id: str, month: str) -> bytes:
        self.calls.append((tenant_id, month))
        await asyncio.sleep(self.delay)
        if self.fails:
            self.fails -= 1
            raise RuntimeError("the renderer crashed")
        return self.pdf


async def alert_at(db, cfg, at: datetime, tenant: str = "acme") -> None:
    """An alert through intake at `at`: the tenant's audit log has begun by then."""
    event = AlertIn(source="test", title="Disk full on db-1", severity=Severity.HIGH,
                    dedup_key=uuid.uuid4().hex, labels={})
    async with db.unit() as unit:
        await ingest(unit, cfg, cfg.tenant(tenant), event, at)


async def rows(db, model) -> list:
    async with db.read() as session:
        return list((await session.execute(select(model))).scalars())


async def report_rows(db) -> list[Outbox]:
    return [r for r in await rows(db, Outbox) if r.kind == "report"]


async def files(db) -> list[ReportFile]:
    return await rows(db, ReportFile)


async def sent(db) -> list[ReportSent]:
    return await rows(db, ReportSent)
