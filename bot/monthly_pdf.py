"""The PDF the monthly run posts into a tenant's channels: the report built from one
snapshot of the database, rendered off the event loop (WeasyPrint takes seconds)."""

import asyncio

from bot.runtime import Runtime
from cards import report
from handlers.evidence import MakePdf, build_report
from storage.evidence import reading
from storage.types import utcnow


def monthly_pdf(runtime: Runtime) -> MakePdf:
    async def make_pdf(tenant_id: str, month: str) -> bytes:
        async with reading(runtime.db) as session:
            view = await build_report(session, runtime.cfg, tenant_id, month, utcnow())
        return await asyncio.to_thread(report.pdf, view)

    return make_pdf
