"""`tandem report`: a tenant's monthly incident-response report (an operator command:
read-only)."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import echo, fail, run
from bot.runtime import Runtime
from cards import report as rendered
from handlers.evidence import NoReport, ReportView, build_report, parse_month, report_json
from storage.evidence import reading

FORMATS = ("pdf", "html", "json")


def _view(tenant: str, month: str) -> ReportView:
    async def body(rt: Runtime) -> ReportView | str:
        try:
            async with reading(rt.db) as session:
                return await build_report(session, rt.cfg, tenant, month, datetime.now(UTC))
        except NoReport as error:
            return str(error)

    found = run(body)
    if isinstance(found, str):
        fail(found)
    return found


def _rendered(view: ReportView, chosen: str) -> bytes:
    if chosen == "json":
        return (json.dumps(report_json(view), sort_keys=True, indent=2) + "\n").encode()
    return rendered.html(view).encode() if chosen == "html" else rendered.pdf(view)


def report(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    month: Annotated[str, typer.Option(help="The month, YYYY-MM, in the tenant's time zone.")],
    format: Annotated[str, typer.Option(help="pdf, html or json.")] = "pdf",
    out: Annotated[Path | None, typer.Option(
        help="Write here; default: standard output for json and html, "
             "report-TENANT-MONTH.pdf in the current directory for pdf.")] = None,
) -> None:
    """Write a tenant's monthly incident-response report: alerts, response times by side,
    SLA breaches, escalations, fixes, silences and snoozes, on-call hours, incidents."""
    if format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {format!r}.")
    try:
        parse_month(month)
    except NoReport as error:
        fail(str(error))
    data = _rendered(_view(tenant, month), format)
    target = out or (Path(f"report-{tenant}-{month}.pdf") if format == "pdf" else None)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        target.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {target}: {error.strerror or error}.")
    echo(f"report written to {target}")
