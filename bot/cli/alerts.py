"""`tandem alert ...`: the command API without a chat platform."""

from typing import Annotated

import typer

from bot.cli.support import echo, fail, run
from cards import text
from handlers import reads
from handlers.commands import Command, Identity, Result
from handlers.enums import Classification, Verb
from handlers.lifecycle import execute
from handlers.people.operator import Operator

app = typer.Typer(help="List, show and act on alerts.", no_args_is_help=True)

As = Annotated[str, typer.Option("--as", help="Email of the configured person acting.")]
Reader = Annotated[str | None, typer.Option(
    "--as", help="Only what this person may see; without it, as the operator (every tenant).")]
AlertId = Annotated[str, typer.Argument(help="Alert id, e.g. ACME-142.")]


def reader(actor: str | None) -> Identity | Operator:
    return Identity(email=actor) if actor else Operator()


def act(verb: Verb, alert_id: str, actor: str, **args: str | None) -> None:
    cmd = Command(
        verb, alert_id, Identity(email=actor), {k: v for k, v in args.items() if v is not None}
    )
    result: Result = run(lambda rt: execute(rt.db, rt.cfg, cmd))
    if not result.ok:
        fail(result.message)
    echo(result.message)


@app.command("list")
def list_(
    tenant: Annotated[str | None, typer.Option(help="Tenant id.")] = None,
    state: Annotated[str, typer.Option(help="open, mine, unclaimed or all.")] = "open",
    actor: Reader = None,
    limit: int = 50,
    storm: Annotated[int | None, typer.Option(
        help="Only the alerts of this storm (its card says which).")] = None,
) -> None:
    """List alerts, newest first (an operator command: read-only)."""
    found = run(lambda rt: reads.list_alerts(rt.db, rt.cfg, reader(actor), tenant, state, limit,
                                             storm))
    if isinstance(found, str):
        fail(found)
    echo("\n".join(text.summary(v) for v in found) or "No alerts.")


@app.command()
def show(alert_id: AlertId, actor: Reader = None) -> None:
    """Show one alert (an operator command: read-only)."""
    view = run(lambda rt: reads.show_alert(rt.db, rt.cfg, reader(actor), alert_id))
    if isinstance(view, str):
        fail(view)
    echo(text.render_alert(view))


@app.command()
def history(alert_id: AlertId, actor: Reader = None) -> None:
    """One alert's timeline from the audit log (an operator command: read-only)."""
    found = run(lambda rt: reads.alert_history(rt.db, rt.cfg, reader(actor), alert_id))
    if isinstance(found, str):
        fail(found)
    view, entries = found
    echo(text.render_history(view.short_id, entries, view.timezone))


@app.command()
def claim(alert_id: AlertId, actor: As) -> None:
    """Take ownership."""
    act(Verb.CLAIM, alert_id, actor)


@app.command()
def release(alert_id: AlertId, actor: As) -> None:
    """Give up ownership."""
    act(Verb.RELEASE, alert_id, actor)


@app.command()
def reassign(
    alert_id: AlertId,
    actor: As,
    to: Annotated[str, typer.Option(help="A person's email, or internal/partner.")],
) -> None:
    """Hand to a named person or to a side."""
    act(Verb.REASSIGN, alert_id, actor, to=to)


@app.command()
def escalate(
    alert_id: AlertId,
    actor: As,
    reason: str = "",
    side: Annotated[bool, typer.Option(help="Hand to the other side.")] = False,
) -> None:
    """Raise the escalation level (or hand to the other side)."""
    act(Verb.ESCALATE, alert_id, actor, reason=reason, mode="other_side" if side else "next_level")


@app.command()
def propose(
    alert_id: AlertId,
    actor: As,
    fix: Annotated[str, typer.Option(help="Remediation id from the catalogue.")],
    note: str = "",
) -> None:
    """Propose a fix from the remediation catalogue."""
    act(Verb.PROPOSE, alert_id, actor, remediation=fix, note=note)


@app.command()
def approve(alert_id: AlertId, actor: As, reason: str = "") -> None:
    """Approve the pending fix."""
    act(Verb.APPROVE, alert_id, actor, reason=reason)


@app.command()
def reject(alert_id: AlertId, actor: As, reason: str = "") -> None:
    """Reject the pending fix."""
    act(Verb.REJECT, alert_id, actor, reason=reason)


@app.command()
def withdraw(alert_id: AlertId, actor: As, reason: str = "") -> None:
    """Take back the fix you proposed (or, as an admin, anyone's)."""
    act(Verb.WITHDRAW, alert_id, actor, reason=reason)


@app.command()
def resolve(
    alert_id: AlertId,
    actor: As,
    note: str = "",
    classification: Annotated[Classification | None, typer.Option(
        help="What it turned out to be, told to Microsoft Graph when the alert came from "
             "there (resolving closes it at its source). Default: unknown.")] = None,
) -> None:
    """Mark resolved."""
    act(Verb.RESOLVE, alert_id, actor, note=note,
        classification=classification.value if classification else None)


@app.command()
def reopen(alert_id: AlertId, actor: As) -> None:
    """Reopen a resolved alert."""
    act(Verb.REOPEN, alert_id, actor)


@app.command()
def snooze(
    alert_id: AlertId,
    actor: As,
    for_: Annotated[str, typer.Option("--for", help="e.g. 30m, 2h, 1d.")],
) -> None:
    """Snooze for a while."""
    act(Verb.SNOOZE, alert_id, actor, duration=for_)


@app.command()
def comment(alert_id: AlertId, actor: As, message: str) -> None:
    """Add a comment to the alert's history."""
    act(Verb.COMMENT, alert_id, actor, text=message)


@app.command()
def significant(
    alert_id: AlertId,
    actor: As,
    reason: Annotated[str, typer.Option(
        help="Why it is a significant incident under NIS2 (needed to flag it); with "
             "--stage, a note on that report, e.g. the authority's reference.")] = "",
    stage: Annotated[str | None, typer.Option(
        help="Record a report sent to the authority instead of flagging: early-warning, "
             "notification or final-report (internal staff only).")] = None,
) -> None:
    """Flag a significant incident (NIS2), or record one of its reports."""
    act(Verb.SIGNIFICANT, alert_id, actor, note=reason, stage=stage)
