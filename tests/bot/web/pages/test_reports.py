"""/evidence: the monthly report as a PDF, for the people of that tenant only."""

import io

from pypdf import PdfReader

from handlers.enums import Verb
from tests.bot.web.pages.html import said
from tests.handlers.console.helpers import SAM, alert, run


async def test_a_person_of_the_tenant_downloads_its_monthly_report(sqlite_site):
    site = sqlite_site
    short = await alert(site.db, site.cfg, title="Disk full on db-1")
    await run(site.db, site.cfg, Verb.CLAIM, short, SAM)
    sam = await site.signed_in("sam@acme.example")
    status, page, _ = await sam.get("/evidence")
    assert status == 200 and '<option value="acme">Acme Ltd</option>' in page
    assert "globex" not in page
    async with sam.http.get(sam.url("/evidence/monthly?tenant=acme&month=2026-11")) as got:
        assert got.status == 200 and got.content_type == "application/pdf"
        assert got.headers["Content-Disposition"] == (
            'attachment; filename="report-acme-2026-11.pdf"')
        pdf = PdfReader(io.BytesIO(await got.read()))
    assert "Acme Ltd" in pdf.pages[0].extract_text()


async def test_another_tenants_report_and_a_bad_month_are_refused(site):
    gina = await site.signed_in("gina@globex.example")
    status, page, _ = await gina.get("/evidence/monthly?tenant=acme&month=2026-11")
    assert status == 404 and said(page) == "Tenant 'acme' is not available to you."
    assert "Acme" not in page
    status, page, _ = await gina.get("/evidence/monthly?tenant=globex&month=November")
    assert status == 400
    assert said(page) == "'November' is not a month; write it as YYYY-MM, e.g. 2026-11."
