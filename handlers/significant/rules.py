"""Who may flag an incident as significant or record a NIS2 report, when, and the words
for what was done.

Any responder of the tenant, on either side, may flag an alert (resolved ones too:
incidents are often recognised late). Recording a report says it was submitted to
the authority, which the company does as the NIS2 entity: only its internal staff
record one, after the flag, and each report once.
"""

from collections.abc import Mapping

from handlers.commands import Outcome
from handlers.enums import Nis2Stage, Side, Verb
from handlers.people.resolve import Actor
from handlers.significant.stages import parse_stage, show_time
from handlers.views import AlertView, SignificantView

NOTE_SHOWN = 300  # of a reason or a note, in a card thread's note


def problem(verb: Verb, args: Mapping[str, str], actor: Actor,
            view: AlertView) -> tuple[Outcome, str] | None:
    """Why `actor` may not flag the alert or record the report `args` names, or None."""
    if verb is not Verb.SIGNIFICANT:
        return None
    try:
        stage = parse_stage(args.get("stage"))
    except ValueError as error:
        return Outcome.INVALID, str(error)
    flagged, short = view.significant, view.short_id
    if stage is Nis2Stage.FLAGGED:
        if flagged is None:
            return None
        when = show_time(flagged.flagged_at, view.timezone)
        return Outcome.ILLEGAL, f"{short} was already flagged as significant at {when}."
    if actor.side is not Side.INTERNAL:
        return Outcome.REFUSED, (
            f"Only internal staff record NIS2 reports: {view.tenant_name}, not its partner, "
            f"reports incidents to the authority, and {actor.name} is on the partner side.")
    if flagged is None:
        return Outcome.ILLEGAL, (f"{short} is not flagged as significant; flag it first "
                                 f"(significant {short} REASON).")
    at = dict(flagged.recorded).get(stage)
    if at is not None:
        return Outcome.ILLEGAL, (f"The NIS2 {stage.words} for {short} was already recorded "
                                 f"at {show_time(at, view.timezone)}.")
    return None


def _next(significant: SignificantView | None, timezone: str) -> str:
    if significant is None or significant.next_stage is None or significant.next_due is None:
        return "all NIS2 reports recorded"
    return (f"{significant.next_stage.words} due "
            f"{show_time(significant.next_due, timezone)}")


def said(label: str, short_id: str, details: Mapping[str, str],
         significant: SignificantView | None, timezone: str) -> tuple[str, str]:
    """The answer to whoever flagged the alert or recorded a report, and the note in the
    card's thread (with the reason or note they gave)."""
    stage = Nis2Stage(details["stage"])
    note = details.get("note", "")
    shown = note if len(note) <= NOTE_SHOWN else note[:NOTE_SHOWN - 1].rstrip() + "…"
    if stage is Nis2Stage.FLAGGED:
        answer = f"{label} flagged {short_id} as a significant incident (NIS2)"
        thread = f"{label} flagged this as a significant incident (NIS2): {shown}"
    else:
        answer = f"{label} recorded the NIS2 {stage.words} for {short_id}"
        thread = f"{label} recorded the NIS2 {stage.words}" + (f": {shown}" if note else "")
    return f"{answer}; {_next(significant, timezone)}.", thread
