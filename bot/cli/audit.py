"""`tandem audit ...`: verify the hash chain and export the log."""

import csv
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from bot.cli.support import echo, fail, run
from storage import audit

app = typer.Typer(help="Verify and export the audit log.", no_args_is_help=True)


@app.command()
def verify(tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None) -> None:
    """Walk the hash chains (an operator command: read-only); exit 1 naming the first
    broken event, or an unknown tenant."""

    async def body(rt):
        try:
            return await audit.verify(rt.db, tenant)
        except audit.UnknownTenant:
            return None

    result = run(body)
    if result is None:
        fail(f"unknown tenant {tenant!r}: there is no audit chain of that name")
    if not result.ok:
        fail(f"audit log broken: {result.broken} ({result.checked} events checked)")
    echo(f"audit log intact: {result.checked} events verified")


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since {value!r} is not a date; use YYYY-MM-DD or an ISO time")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _row(event: Mapping[Any, Any]) -> dict:
    return {**event, "at": event["at"].isoformat()}


@app.command()
def export(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    format: Annotated[str, typer.Option(help="jsonl or csv.")] = "jsonl",
    since: Annotated[str | None, typer.Option(help="Only events at or after.")] = None,
) -> None:
    """Write a tenant's audit events to standard output (an operator command: read-only;
    `--tenant _deployment` is the chain of refusals that concern no tenant of the actor)."""
    if format not in ("jsonl", "csv"):
        fail(f"--format must be jsonl or csv, not {format!r}")
    start = _since(since)

    async def body(rt):
        if rt.cfg.tenant(tenant) is None and tenant != audit.DEPLOYMENT:
            return f"unknown tenant {tenant!r}"
        writer = csv.DictWriter(sys.stdout, fieldnames=audit.EXPORTED) if format == "csv" else None
        if writer:
            writer.writeheader()
        async for event in audit.events(rt.db, tenant, start):
            row = _row(event)
            if writer:
                writer.writerow({**row, "details": json.dumps(row["details"], sort_keys=True)})
            else:
                sys.stdout.write(json.dumps(row, sort_keys=True) + "\n")
        return None

    problem = run(body)
    if problem:
        fail(problem)
