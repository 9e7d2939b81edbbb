"""One pass over the month's events of the verbs that move an alert between people
and sides, page someone or snooze an alert (handlers/evidence/response.py replays
them), streamed in sequence order.

The pass reads on past the month's end, up to the longest acknowledgement SLA (or
`now`), so that an alert first seen just before midnight on the last day is known to
have been answered in time or not. An alert first seen before the month needs what
happened to it before too (who held it, whether it had been claimed): its events in
the month wait until those are read and replayed first.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers.evidence.activity import escalation, snooze
from handlers.evidence.month import Month
from handlers.evidence.names import Names
from handlers.evidence.response import ESCALATE, OWNER_VERBS, REASSIGN, Replay
from handlers.evidence.view import Escalation, Quiet
from storage import evidence as E
from storage.evidence import Event
from storage.unit import Session

PING, SNOOZE = "ping", "snooze"
STREAMED = frozenset({*OWNER_VERBS, PING, SNOOZE})
DETAILED = frozenset({REASSIGN, ESCALATE, PING, SNOOZE})


@dataclass
class MonthEvents:
    replay: Replay
    read_until: datetime
    escalations: list[Escalation] = field(default_factory=list)
    snoozes: list[Quiet] = field(default_factory=list)
    earlier: dict[str, list[Event]] = field(default_factory=dict)  # alerts seen before

    def take(self, batch: list[Event], names: Names, first_seen: dict[str, datetime],
             ends: datetime) -> None:
        apply, earlier = self.replay.apply, self.earlier
        for event in batch:
            verb, alert, in_month = event.verb, event.alert, event.at < ends
            if verb in OWNER_VERBS and alert is not None:
                if alert in first_seen:
                    apply(event)
                elif in_month:
                    earlier.setdefault(alert, []).append(event)
            if in_month and verb in (PING, ESCALATE):
                self.escalations.append(escalation(event, names))
            elif in_month and verb == SNOOZE:
                self.snoozes.append(snooze(event, names))


async def _replay_earlier(session: Session, tenant_id: str, month: Month, found: MonthEvents,
                          first_seen: dict[str, datetime]) -> None:
    """Alerts first seen before the month: what came before, then the month."""
    seen = await E.first_seen(session, tenant_id, sorted(found.earlier))
    older = sorted(alert for alert, at in seen.items() if at < month.starts)
    before = await E.events_of_alerts(session, tenant_id, older, month.starts, OWNER_VERBS)
    during = [e for alert in older for e in found.earlier[alert]]
    for event in sorted([*before, *during], key=lambda e: e.seq):
        found.replay.apply(event)
    first_seen.update((alert, seen[alert]) for alert in older)


async def read_month(session: Session, tenant_id: str, month: Month, now: datetime,
                     names: Names, first_seen: dict[str, datetime],
                     longest_sla: timedelta) -> MonthEvents:
    """`first_seen`: the month's alerts; it gains those of earlier alerts replayed."""
    until = min(month.ends + longest_sla, now)
    found = MonthEvents(Replay(names, month.starts, month.ends), until)
    async for batch in E.events_of_verbs(session, tenant_id, STREAMED, month.starts, until,
                                         DETAILED):
        found.take(batch, names, first_seen, month.ends)
    await _replay_earlier(session, tenant_id, month, found, first_seen)
    return found
