"""`tandem silence ...`: maintenance windows; silenced alerts are stored but not posted,
and come back when the silence ends.

`add` and `expire` act for the person named by --as, with the same rules as chat
(handlers/silences/policy.py); `list` is an operator's read and names nobody.
"""

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.support import echo, fail, run
from cards.escape import printable
from handlers import silences
from handlers.commands import Identity
from handlers.config import Tenant as TenantConfig
from handlers.people import Actor, resolve
from handlers.timing import parse_duration, parse_instant
from storage import silences as stored
from storage.models import Silence

app = typer.Typer(help="Silences and maintenance windows.", no_args_is_help=True)
Tenant = Annotated[str, typer.Option(help="Tenant id.")]
As = Annotated[str, typer.Option("--as", help="Who acts: the email of a configured person "
                                              "who is a responder in the tenant.")]


def _known(rt, tenant: str) -> TenantConfig:
    found = rt.cfg.tenant(tenant)
    if found is None:
        fail(f"unknown tenant {tenant!r}")
    return found


async def _person(rt, email: str, verb: str, tenant: str) -> Actor:
    actor = resolve(rt.cfg, Identity(email=email))
    if actor is None:
        await silences.stranger(rt.db, Identity(email=email), verb, tenant,
                                     datetime.now(UTC))
        fail(f"{email!r} is not a configured person; --as must name someone in the people "
             "section of Tandem's configuration")
    return actor


def _shown(silence: Silence) -> str:
    every = f"every {silence.every} " if silence.every else ""
    return (f"{every}from {silence.starts_at.isoformat(timespec='minutes')} "
            f"until {silence.ends_at.isoformat(timespec='minutes')}")


@app.command()
def add(
    tenant: Tenant,
    match: Annotated[list[str], typer.Option(help="key=value; repeat for several.")],
    for_: Annotated[str, typer.Option("--for", help="How long from its start, e.g. 2h.")],
    reason: Annotated[str, typer.Option(help="Why; shown in the audit log.")],
    actor: As,
    start: Annotated[str | None, typer.Option(
        help="When it starts, in the tenant's time zone (e.g. 'tomorrow 22:00'); "
             "default now.")] = None,
    every: Annotated[str | None, typer.Option(
        help="Only inside this weekly window, in the tenant's time zone, e.g. "
             "'sun 02:00-04:00'.")] = None,
) -> None:
    """Silence alerts matching every key=value for a while (at most the tenant's
    silence_max, 7d unless configured)."""
    try:
        matchers = silences.parse_matchers(match)
        length = parse_duration(for_)
        weekly = silences.every_text(every) if every else None
    except ValueError as error:
        fail(str(error))

    async def body(rt):
        chosen = _known(rt, tenant)
        who = await _person(rt, actor, "silence.add", tenant)
        now = datetime.now(UTC)
        try:
            starts = parse_instant(start, ZoneInfo(chosen.timezone), now) if start else now
        except ValueError as error:
            fail(str(error))
        wanted = silences.Wanted(chosen, matchers, starts, starts + length, reason, weekly)
        async with rt.db.unit() as uow:
            return await silences.add(uow, rt.cfg, who, wanted, now)

    made = run(body)
    if isinstance(made, str):
        fail(made)
    echo(f"silence {made.id} {_shown(made)}")


@app.command("list")
def list_(tenant: Tenant) -> None:
    """Silences in force or still to come. Read-only, an operator command: it acts for
    nobody, so it takes no --as."""

    async def body(rt):
        _known(rt, tenant)
        async with rt.db.read() as session:
            return await stored.unended(session, tenant, datetime.now(UTC))

    found = run(body)
    for s in found:
        pairs = " ".join(f"{k}={v}" for k, v in sorted(s.matchers.items()))
        echo(printable(f"{s.id}  {pairs}  {_shown(s)}  {s.reason}"))  # one line each
    if not found:
        echo("No active silences.")


@app.command()
def expire(tenant: Tenant, silence_id: int, actor: As) -> None:
    """End a silence now; the alerts it kept quiet come back at once."""

    async def body(rt):
        chosen = _known(rt, tenant)
        who = await _person(rt, actor, "silence.expire", tenant)
        async with rt.db.unit() as uow:
            return await silences.expire(uow, rt.cfg, who, chosen, silence_id, datetime.now(UTC))

    done = run(body)
    if isinstance(done, str):
        fail(done)
    echo(f"silence {silence_id} expired; {done.back} alert(s) came back")
