"""`tandem digest ...`: the daily digest, shown without sending it."""

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.support import echo, fail, run
from cards.digest import render_text
from handlers import digest

app = typer.Typer(help="The daily digest.", no_args_is_help=True)


@app.command()
def preview(tenant: Annotated[str, typer.Option(help="Tenant id.")]) -> None:
    """Print the digest as it would be sent now (an operator command: read-only; nothing
    is sent or recorded)."""
    found = run(lambda rt: digest.preview(rt.db, rt.cfg, tenant, datetime.now(UTC)))
    if isinstance(found, str):
        fail(found)
    echo(render_text(found))
