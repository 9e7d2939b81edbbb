"""`tandem remediation ...`: an alert's fix after it was proposed: where it stands, and
carrying out again or marking done by hand one that failed (or a manual one)."""

from typing import Annotated

import typer

from bot.cli.alerts import AlertId, As, Reader, act, reader
from bot.cli.support import echo, fail, run
from cards import text
from handlers import reads
from handlers.enums import Verb

app = typer.Typer(help="Fixes proposed for alerts, and their execution.", no_args_is_help=True)


@app.command()
def status(alert_id: AlertId, actor: Reader = None) -> None:
    """Where an alert's fix stands, and its latest execution (read-only)."""
    view = run(lambda rt: reads.show_alert(rt.db, rt.cfg, reader(actor), alert_id))
    if isinstance(view, str):
        fail(view)
    if view.remediation is None:
        fail(text.render_remediation(view))
    echo(text.render_remediation(view))


@app.command()
def retry(
    alert_id: AlertId,
    actor: As,
    reason: Annotated[str, typer.Option(help="Why it should work this time.")] = "",
) -> None:
    """Carry out a failed fix again (an approver other than its proposer)."""
    act(Verb.RETRY, alert_id, actor, reason=reason)


@app.command()
def done(
    alert_id: AlertId,
    actor: As,
    note: Annotated[str, typer.Option(help="What was done, by hand.")],
) -> None:
    """Mark a failed fix, or an approved manual one, as carried out by hand."""
    act(Verb.DONE, alert_id, actor, note=note)
