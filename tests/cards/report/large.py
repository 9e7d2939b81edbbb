"""A month far bigger than any document should list, with known answers about which rows
come first: for the limits' tests.

- 5,000 escalations, a minute apart, paging 30 people in turn: the 12 numbered
  0, 400, …, 4,400 reached level 3, those numbered 7 to 3,500 in steps of 7 level 2, the
  rest level 1. Shown first: the 12 level-3 ones, most recent first, then the most
  recent level-2 ones (3,500, 3,493, …).
- 3,000 fixes, a minute apart: every 10th failed (numbers 0, 10, …), the others
  executed, containment 60 + the fix's number seconds. Shown first: the failed ones,
  most recent first (2,990, 2,980, …).
- 2,000 snoozes (two hours each) and 30 silences, a fourth of them until lifted.
- 1,500 critical incidents a few minutes apart, contained after 60 + their number
  seconds; every 100th also significant; 30 events on each timeline.
"""

from dataclasses import replace
from datetime import timedelta

from handlers.evidence.view import (
    Clock,
    Escalation,
    Incident,
    Quiet,
    Remediation,
    ReportView,
    TimelineEntry,
)

from .sample import at
from .sample import report as sample

PEOPLE = [f"Person {n:02d}" for n in range(30)]
ESCALATIONS, FIXES, SNOOZES, SILENCES, INCIDENTS, EVENTS = 5000, 3000, 2000, 30, 1500, 30
LEVEL_3 = range(0, 4800, 400)
LEVEL_2 = range(7, 3501, 7)


def escalation(n: int) -> Escalation:
    level = 3 if n in LEVEL_3 else 2 if n in LEVEL_2 else 1
    side = "partner" if n % 2 else "internal"
    return Escalation(f"ACME-{n}", at(1, 1) + timedelta(minutes=n), level,
                      (PEOPLE[n % len(PEOPLE)],), side)


def fix(n: int) -> Remediation:
    proposed = at(1, 1) + timedelta(minutes=n)
    if n % 10 == 0:
        return Remediation(f"ACME-{n}", "Restart the service", PEOPLE[0], "internal", proposed,
                           PEOPLE[1], proposed, "failed", proposed, None)
    return Remediation(f"ACME-{n}", "Restart the service", PEOPLE[0], "internal", proposed,
                       PEOPLE[1], proposed, "executed", proposed, 60.0 + n)


def quiet(n: int) -> Quiet:
    starts = at(2, 0) + timedelta(minutes=n)
    if n < SILENCES:
        ends = None if n % 4 == 0 else starts + timedelta(hours=1 + n)
        return Quiet("silence", PEOPLE[n % 3], "internal", "patching", starts, ends,
                     f'service="db-{n}"')
    return Quiet("snooze", PEOPLE[n % 20], "partner", "", starts, starts + timedelta(hours=2),
                 f"ACME-{n}")


def incident(n: int) -> Incident:
    detected = at(1, 0) + timedelta(minutes=20 * n)
    significant = n % 100 == 0
    events = tuple(TimelineEntry(detected + timedelta(seconds=e), PEOPLE[e % 3], "internal",
                                 f"event {e} of ACME-{n}") for e in range(EVENTS))
    clocks = (Clock("early warning", detected + timedelta(hours=24), None, "missed"),
              Clock("notification", detected + timedelta(hours=72), None, "open"))
    return Incident(
        alert=f"ACME-{n}", title=f"Incident {n}", severity="critical", source="graph",
        detected=detected, assessed=detected + timedelta(seconds=30),
        contained=detected + timedelta(seconds=60 + n), resolved=detected + timedelta(hours=1),
        significant_at=detected if significant else None, clocks=clocks if significant else (),
        timeline=events)


def report() -> ReportView:
    return replace(
        sample(),
        escalations=tuple(escalation(n) for n in range(ESCALATIONS)),
        remediations=tuple(fix(n) for n in range(FIXES)),
        quiet=tuple(quiet(n) for n in range(SILENCES + SNOOZES)),
        incidents=tuple(incident(n) for n in range(INCIDENTS)),
    )
