"""`tandem silence ...`: maintenance windows; silenced alerts are stored but not posted."""

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli_support import echo, fail, run
from handlers import silences
from handlers.durations import parse_duration

app = typer.Typer(help="Silences and maintenance windows.", no_args_is_help=True)
Tenant = Annotated[str, typer.Option(help="Tenant id.")]


def _known(rt, tenant: str) -> None:
    if rt.cfg.tenant(tenant) is None:
        fail(f"unknown tenant {tenant!r}")


@app.command()
def add(
    tenant: Tenant,
    match: Annotated[list[str], typer.Option(help="key=value; repeat for several.")],
    for_: Annotated[str, typer.Option("--for", help="How long, e.g. 2h.")],
    reason: Annotated[str, typer.Option(help="Why; shown in the audit log.")],
    actor: Annotated[str, typer.Option("--as", help="Who adds it (email).")] = "cli",
) -> None:
    """Silence alerts matching every key=value from now for a while."""
    try:
        matchers = silences.parse_matchers(match)
        length = parse_duration(for_)
    except ValueError as error:
        fail(str(error))

    async def body(rt):
        _known(rt, tenant)
        now = datetime.now(UTC)
        async with rt.db.transaction() as session:
            return await silences.add(
                session, tenant, matchers, starts=now, ends=now + length, reason=reason, actor=actor
            )

    made = run(body)
    echo(f"silence {made.id} until {made.ends_at.isoformat(timespec='minutes')}")


@app.command("list")
def list_(tenant: Tenant) -> None:
    """Active silences."""

    async def body(rt):
        _known(rt, tenant)
        async with rt.db.transaction() as session:
            return await silences.active(session, tenant, datetime.now(UTC))

    found = run(body)
    for s in found:
        pairs = " ".join(f"{k}={v}" for k, v in sorted(s.matchers.items()))
        echo(f"{s.id}  {pairs}  until {s.ends_at.isoformat(timespec='minutes')}  {s.reason}")
    if not found:
        echo("No active silences.")


@app.command()
def expire(
    tenant: Tenant,
    silence_id: int,
    actor: Annotated[str, typer.Option("--as", help="Who ends it.")] = "cli",
) -> None:
    """End a silence now."""

    async def body(rt):
        _known(rt, tenant)
        async with rt.db.transaction() as session:
            return await silences.expire(session, tenant, silence_id, actor, datetime.now(UTC))

    if run(body) is None:
        fail(f"no silence {silence_id} in tenant {tenant}")
    echo(f"silence {silence_id} expired")
