"""`tandem outbox ...`: operator commands for messages not delivered yet.

A row a chat platform refused for good (channel_not_found, invalid_auth ...) is kept as
failed; once the cause is fixed, `retry` re-queues it and the running server's
dispatcher, which polls the database, delivers it. Neither command changes an alert.
"""

from typing import Annotated

import typer

from bot.cli.support import echo, fail, run
from cards.escape import printable
from storage import outbox_admin
from storage.types import utcnow

app = typer.Typer(
    help="Operator commands for undelivered chat messages (never change an alert).",
    no_args_is_help=True)
COLUMNS = ("ID", "STATE", "TENANT", "ALERT", "PLATFORM", "CHANNEL", "KIND", "ATTEMPTS", "WHEN",
           "ERROR")


def _line(row: outbox_admin.Listed) -> str:
    fields = (row.id, "failed" if row.failed else "pending", row.tenant, row.alert or "-",
              row.platform, row.channel, row.kind, row.attempts,
              row.when.isoformat(timespec="seconds"), row.error or "-")
    return "\t".join(printable(f) for f in fields)


@app.command("list")
def list_(
    failed: Annotated[bool, typer.Option("--failed", help="Only rows refused for good.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """List undelivered rows, oldest first: tab-separated, with a header (read-only).
    WHEN is when a failed row failed, or when a pending row is next due."""
    found = run(lambda rt: outbox_admin.undelivered(rt.db, failed, limit))
    if not found:
        echo("No failed outbox rows." if failed else "No undelivered outbox rows.")
        return
    echo("\n".join(["\t".join(COLUMNS), *(_line(row) for row in found)]))


@app.command()
def retry(
    row_id: Annotated[int | None, typer.Argument(help="A failed row's id (see list).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every failed row.")] = False,
) -> None:
    """Re-queue failed rows, due now, after fixing their cause (token, channel, invite).
    Changes delivery state only, not alerts: the running server delivers them within
    its poll interval, one card per alert and channel however many rows it had."""
    if (row_id is None) == (not every):
        fail("give one failed row's id or --all, not both")
    ids = None if row_id is None else [row_id]
    chosen = run(lambda rt: outbox_admin.retry(rt.db, ids, utcnow()))
    if not chosen:
        if every:
            echo("No failed outbox rows.")
            return
        fail(f"no failed outbox row {row_id}; `tandem outbox list --failed` shows them")
    echo(f"re-queued {len(chosen)} row(s): {', '.join(map(str, chosen))}")
