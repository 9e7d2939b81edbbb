"""`tandem oncall ...`: who is on call now and next, and overrides."""

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.support import echo, fail, run
from handlers import oncall
from handlers.oncall import CoverRefused
from handlers.timing import parse_instant

app = typer.Typer(help="On-call schedules: who is on, overrides.", no_args_is_help=True)
Tenant = Annotated[str, typer.Option(help="Tenant id.")]
When = "Local time of the tenant, e.g. 'tomorrow 18:00', '2026-11-21 18:00', or ISO with offset."


def _tenant(rt, tenant_id: str):
    tenant = rt.cfg.tenant(tenant_id)
    if tenant is None:
        fail(f"unknown tenant {tenant_id!r}; known: {', '.join(t.id for t in rt.cfg.tenants)}")
    return tenant


def _instant(option: str, text: str, zone: ZoneInfo, now: datetime,
             after: datetime | None = None) -> datetime:
    try:
        return parse_instant(text, zone, now, after=after)
    except ValueError as error:
        fail(f"{option}: {error}")


@app.command()
def show(tenant: Tenant,
         at: Annotated[str | None, typer.Option(help=f"When to ask about. {When}")] = None,
         ) -> None:
    """Who is on call (overall and per layer), until when, and who is next."""

    async def body(rt) -> str:
        found = _tenant(rt, tenant)
        now = datetime.now(UTC)
        moment = _instant("--at", at, ZoneInfo(found.timezone), now) if at else now
        return oncall.describe(await oncall.view(rt.db, rt.cfg, found, moment))

    echo(run(body))


@app.command()
def override(tenant: Tenant,
             actor: Annotated[str, typer.Option("--as", help="Email of who will be on call.")],
             start: Annotated[str, typer.Option(help=f"From. {When}")],
             end: Annotated[str, typer.Option(help="Until; a bare time is on the start's day.")],
             layer: Annotated[str | None, typer.Option(help="Only this layer.")] = None,
             ) -> None:
    """Put someone on call from START until END (e.g. to cover an evening)."""

    async def body(rt) -> str:
        found = _tenant(rt, tenant)
        now, zone = datetime.now(UTC), ZoneInfo(found.timezone)
        starts = _instant("--start", start, zone, now)
        ends = _instant("--end", end, zone, now, after=starts)
        try:
            return await oncall.cover(rt.db, rt.cfg, found, actor, starts, ends,
                                             actor=actor.lower(), now=now, layer=layer)
        except CoverRefused as error:
            fail(str(error))

    echo(run(body))
