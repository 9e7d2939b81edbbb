"""The monthly incident-response report as HTML (charts inline as SVG) and as PDF.

matplotlib, Jinja2 and WeasyPrint are imported on first use, not with this package.
"""

from handlers.evidence.view import ReportView

__all__ = ["html", "pdf"]


def html(view: ReportView) -> str:
    """One self-contained HTML page, print-ready (A4, page numbers, running headers)."""
    from cards.report import page

    return page.render(view)


def pdf(view: ReportView) -> bytes:
    """The same page as an A4 PDF; the same view gives the same bytes."""
    from cards.report import document

    return document.render(view)
