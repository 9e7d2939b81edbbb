"""The PDF the monthly run posts is the month's report as `tandem report` prints it,
built from the running program's database and configuration."""

import io

from pypdf import PdfReader

from bot.config import Settings
from bot.monthly_pdf import monthly_pdf
from bot.runtime import open_runtime
from tests.conftest import DATA
from tests.evidence.month import MONTH, seed


async def test_the_monthly_pdf_is_the_months_report(db_url):
    runtime = await open_runtime(Settings(database_url=db_url, config=DATA / "config.yaml",
                                          scheduler=False))
    try:
        await seed(runtime.db, runtime.cfg)
        made = await monthly_pdf(runtime)("acme", MONTH)
    finally:
        await runtime.close()
    assert made.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(made)).pages[0].extract_text()
    assert "Acme Ltd" in text and "November 2026" in text
    assert "Partner 6 min 30 s 10 min 2" in " ".join(text.split())
