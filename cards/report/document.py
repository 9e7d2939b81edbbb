"""The report as PDF: its HTML laid out by WeasyPrint, charts kept as vectors.

Same view, same bytes: the creation and modification dates come from the view's
generated_at (the page's dcterms meta elements), WeasyPrint writes no file
identifier unless asked, and fonts are subset by glyph, not by chance.
"""

from weasyprint import HTML

from cards.report import page
from handlers.evidence.view import ReportView


def render(view: ReportView) -> bytes:
    pdf: bytes | None = HTML(string=page.render(view)).write_pdf()
    assert pdf is not None  # no target given: the bytes are returned
    return pdf
