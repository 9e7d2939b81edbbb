"""One section per critical alert first seen in the month, and per alert flagged
significant: the timestamps an auditor asks for (detected, assessed, contained,
resolved), its NIS2 Article 23 clocks, and its timeline.

Flagging is recorded as audit events of verb "significant" with details {"stage":
"flagged" | "early_warning" | "notification" | "final_report", "note": ...}. The first
"flagged" is when the company became aware: the early warning is due 24 hours later,
the notification 72 hours later and the final report one calendar month after the
notification (Article 23(4)(d); local wall-clock time), as `handlers.significant.deadlines`
says for the card too. A stage is done when its first event was recorded: "met" by its
due time, else "missed"; "open" while neither done nor due at the report's `now`.
A significant incident is in the month's report when it was flagged in the month, or
flagged earlier with a deadline falling in the month or a stage recorded in it.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from handlers.config.schema import TandemConfig
from handlers.enums import Nis2Stage, Severity
from handlers.evidence.month import Month
from handlers.evidence.names import Names
from handlers.evidence.sentences import Narrator
from handlers.evidence.view import Clock, Incident, TimelineEntry
from handlers.significant import deadlines
from storage import evidence as E
from storage.evidence import AlertFacts, Event
from storage.unit import Session

SIGNIFICANT = "significant"
FLAGGED = "flagged"
CLOCKS = (("early warning", Nis2Stage.EARLY_WARNING), ("notification", Nis2Stage.NOTIFICATION),
          ("final report", Nis2Stage.FINAL_REPORT))
LOOK_BACK = timedelta(days=32)  # a flag this long before the month has no deadline in it
CONTAINED = ("execution.succeeded", "done")


def _stage(event: Event) -> str | None:
    return str((event.details or {}).get("stage")) if event.verb == SIGNIFICANT else None


def _first(events: Sequence[Event], stage: str) -> datetime | None:
    return next((e.at for e in events if _stage(e) == stage), None)


def clocks(events: Sequence[Event], month: Month, now: datetime) -> tuple[Clock, ...]:
    flagged = _first(events, FLAGGED)
    if flagged is None:
        return ()
    done_at = {stage: at for _, stage in CLOCKS if (at := _first(events, stage)) is not None}
    due_at = deadlines(flagged, done_at, str(month.zone))
    found = []
    for name, stage in CLOCKS:
        due, done = due_at[stage], done_at.get(stage)
        state = ("met" if done <= due else "missed") if done else (
            "missed" if now > due else "open")
        found.append(Clock(name, due, done, state))
    return tuple(found)


def _concerns(events: Sequence[Event], month: Month, now: datetime) -> bool:
    flagged = _first(events, FLAGGED)
    if flagged is None or flagged >= month.ends:
        return False
    inside = [flagged, *(c.due for c in clocks(events, month, now)),
              *(e.at for e in events if _stage(e))]
    return any(month.starts <= at < month.ends for at in inside)


async def significant(session: Session, tenant_id: str, month: Month,
                      now: datetime) -> list[str]:
    """The alerts whose significance concerns the month."""
    found: dict[str, list[Event]] = defaultdict(list)
    async for batch in E.events_of_verbs(session, tenant_id, (SIGNIFICANT,),
                                         month.starts - LOOK_BACK, now, (SIGNIFICANT,)):
        for event in batch:
            if event.alert:
                found[event.alert].append(event)
    return [alert for alert, events in found.items() if _concerns(events, month, now)]


def _assessed(events: Sequence[Event]) -> datetime | None:
    return next((e.at for e in events if e.verb == "claim" or (
        e.verb == "reassign" and (e.details or {}).get("to"))), None)


def incident(cfg: TandemConfig, names: Names, month: Month, now: datetime, facts: AlertFacts,
             events: Sequence[Event]) -> Incident:
    narrator = Narrator(cfg, names, month.zone)
    timeline = tuple(TimelineEntry(e.at, names.name(e.actor), e.actor_side or names.side(e.actor),
                                   narrator.say(e)) for e in events)
    return Incident(
        facts.short_id, facts.title, facts.severity, facts.source, facts.first_seen,
        _assessed(events), next((e.at for e in events if e.verb in CONTAINED), None),
        facts.resolved_at, _first(events, FLAGGED), clocks(events, month, now), timeline)


async def incidents(session: Session, cfg: TandemConfig, names: Names, tenant_id: str,
                    month: Month, now: datetime) -> tuple[Incident, ...]:
    """Critical and significant incidents, by detection time; their events before `now`."""
    critical = await E.with_severity(session, tenant_id, Severity.CRITICAL.value, month.starts,
                                     month.ends)
    chosen = sorted(set(critical) | set(await significant(session, tenant_id, month, now)))
    facts = await E.alert_facts(session, tenant_id, chosen)
    by_alert: dict[str, list[Event]] = defaultdict(list)
    for event in await E.events_of_alerts(session, tenant_id, chosen, now):
        by_alert[event.alert or ""].append(event)
    found = [incident(cfg, names, month, now, f, by_alert[f.short_id]) for f in facts]
    return tuple(sorted(found, key=lambda i: (i.detected, i.alert)))
