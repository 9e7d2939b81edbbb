"""How cards word an alert flagged as a significant incident under NIS2: the next report
due (or that all are recorded) and why it was flagged.

Plain strings, like cards.format; platform escaping is the caller's job.
"""

from cards.format import FIELD_LIMIT, format_time, truncate
from handlers.views import AlertView

FORM_ABOUT = ("Flagging starts the NIS2 clocks: an early warning to the authority within "
              "24 hours, the incident notification within 72 hours, the final report within "
              "a month of the notification.")


def significant_lines(view: AlertView) -> list[str]:
    """E.g. ["Significant incident (NIS2): early warning due 2026-11-21 14:02 GMT",
    "Why: customer records exposed"]; none for an alert that was not flagged."""
    flagged = view.significant
    if flagged is None:
        return []
    if flagged.next_stage is not None and flagged.next_due is not None:
        due = (f"{flagged.next_stage.words} due "
               f"{format_time(flagged.next_due, view.timezone)}")
    else:
        due = "all NIS2 reports recorded"
    lines = [f"Significant incident (NIS2): {due}"]
    if flagged.reason:
        lines.append(truncate(f"Why: {flagged.reason}", FIELD_LIMIT * 2))
    return lines
