"""/evidence: a tenant's monthly incident-response report as a PDF, for the people of
that tenant, made as the monthly run makes it (bot/monthly_pdf.py: handlers.evidence's
build from one snapshot, cards.report's PDF off the event loop).

Not under /reports/: that prefix is the signed download links' (bot/report_links.py),
which the sign-in gate leaves to their signature.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from aiohttp import web

from bot.monthly_pdf import monthly_pdf
from bot.web import flash
from bot.web.console import console_of
from bot.web.pages import HEADERS, render
from bot.web.user import WebUser, web_user
from handlers.evidence import NoReport, parse_month

# A report takes seconds of CPU and some memory to draw: a few at a time per process.
AT_ONCE = web.AppKey("console_reports_at_once", asyncio.Semaphore)
DRAWN_AT_ONCE = 2


def _last_month(now: datetime) -> str:
    return (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def _form(request: web.Request, user: WebUser, status: int = 200,
          said: flash.Said | None = None, tenant: str = "", month: str = "") -> web.Response:
    cfg = console_of(request).runtime.cfg
    tenants = sorted((t for t in cfg.tenants if t.id in user.tenants), key=lambda t: t.name)
    now = datetime.now(UTC)
    return render("evidence.html", status, user=user, said=said, section="evidence",
                  tenants=tenants, chosen=tenant, month=month or _last_month(now),
                  latest=now.strftime("%Y-%m"))


async def evidence(request: web.Request) -> web.Response:
    return _form(request, web_user(request))


async def monthly(request: web.Request) -> web.Response:
    """GET /evidence/monthly?tenant=T&month=YYYY-MM: the PDF, or the form saying why not."""
    user = web_user(request)
    tenant = request.query.get("tenant", "")[:64]
    month = request.query.get("month", "")[:20]
    if tenant not in user.tenants:  # the console's answer for a tenant that is not theirs
        return _form(request, user, 404, flash.Said(
            f"Tenant {tenant!r} is not available to you.", False), month=month)
    try:
        parse_month(month)
        async with request.app[AT_ONCE]:
            pdf = await monthly_pdf(console_of(request).runtime)(tenant, month)
    except NoReport as error:
        return _form(request, user, 400, flash.Said(str(error), False), tenant, month)
    disposition = f'attachment; filename="report-{tenant}-{month}.pdf"'
    return web.Response(body=pdf, content_type="application/pdf",
                        headers={**HEADERS, "Content-Disposition": disposition})
