"""One alert's life for the report benchmark: its row, its ten audit events, its fix.

Alert n is first seen at `first`. The mix, by n:
- 1 in 100 critical; 1 in 12 waits 20 minutes and is pinged twice (on call, channel);
- claimed by the internal side 3 times in 5, by the partner otherwise;
- 1 in 10 reassigned to a person of the other side, 1 in 10 handed to the other side and
  claimed there, 1 in 50 escalated to the other side;
- 1 in 33 gets a fix, approved and executed; 1 in 50 is snoozed for an hour;
- 1 in 40 has a refused command; 1 in 1,000 is flagged significant;
- 7 in 10 resolved by a person, 2 in 10 by their source, 1 in 10 still open;
- comments fill the rest of its ten events.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

EVENTS_PER_ALERT = 10
PEOPLE = {"internal": ("ann@bench.example", "bob@bench.example"),
          "partner": ("pat@partner.example", "quinn@partner.example")}
OTHER = {"internal": "partner", "partner": "internal"}


@dataclass
class Made:
    alert: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    fix: dict[str, Any] | None = None
    run: dict[str, Any] | None = None

    def add(self, at: datetime, actor: str, verb: str, details: dict[str, Any] | None = None,
            side: str | None = None) -> None:
        self.events.append({"at": at, "actor": actor, "actor_side": side, "verb": verb,
                            "from_status": None, "to_status": None, "details": details or {}})


def _fix(made: Made, n: int, first: datetime, owner: str, side: str) -> None:
    at = first + timedelta(minutes=35)
    approver = PEOPLE["internal"][0]
    made.add(at, owner, "propose", {"remediation": "restart-service",
                                    "needs_internal_approver": True, "target": {}}, side)
    made.add(at + timedelta(minutes=5), approver, "approve",
             {"remediation": "restart-service", "reason": "ok", "executes": True}, "internal")
    made.add(at + timedelta(minutes=6), "tandem", "execution.running", {"kind": "webhook"})
    done = at + timedelta(minutes=8)
    made.add(done, "tandem", "execution.succeeded", {"kind": "webhook", "detail": "200"})
    made.fix = {"action_id": "restart-service", "note": "", "proposed_by": owner,
                "proposer_side": side, "needs_internal_approver": True, "status": "executed",
                "decided_by": approver, "decision_reason": "ok", "proposed_at": at,
                "decided_at": at + timedelta(minutes=5), "reminded_at": None, "target": {}}
    made.run = {"kind": "webhook", "target": {}, "options": {}, "status": "succeeded",
                "attempts": 1, "due_at": done, "leased_by": None, "expires_at": None,
                "external_id": f"run-{n}", "detail": "200", "created_at": at,
                "started_at": at, "finished_at": done}


def _claims(made: Made, n: int, first: datetime) -> tuple[str, str, datetime]:
    """Claims and hand-overs; returns who holds the alert, their side, and when."""
    waits = n % 12 == 0
    if waits:
        for level, minutes in ((1, 5), (2, 15)):
            made.add(first + timedelta(minutes=minutes), "tandem", "ping",
                     {"level": level, "step": level, "round": 1,
                      "notify": "on-call" if level == 1 else "channel",
                      "to": PEOPLE["internal"][n % 2], "via": ["slack"]})
    side = "internal" if n % 5 < 3 else "partner"
    owner = PEOPLE[side][n % 2]
    claimed = first + timedelta(minutes=20 if waits else 1 + n % 14)
    made.add(claimed, owner, "claim", side=side)
    made.alert["claimed_at"] = claimed
    later = claimed + timedelta(minutes=10)
    if n % 10 == 1:
        other = OTHER[side]
        made.add(later, owner, "reassign", {"to": PEOPLE[other][0]}, side)
        return PEOPLE[other][0], other, later
    if n % 10 == 2 or n % 50 == 3:
        other = OTHER[side]
        if n % 10 == 2:
            made.add(later, owner, "reassign", {"to_side": other}, side)
        else:
            made.add(later, owner, "escalate", {"level": 1, "reason": "", "to_side": other}, side)
        owner = PEOPLE[other][1]
        made.add(later + timedelta(minutes=5), owner, "claim", side=other)
        return owner, other, later + timedelta(minutes=5)
    return owner, side, claimed


def _ending(made: Made, n: int, first: datetime, owner: str, side: str, source: str) -> None:
    resolved = first + timedelta(minutes=60 + n % 240)
    if n % 10 < 7:
        made.add(resolved, owner, "resolve", {"note": "fixed"}, side)
    elif n % 10 < 9:
        made.add(resolved, f"source:{source}", "resolved")
    else:
        made.alert.update(status="claimed", owner_email=owner, owner_side=side)
        return
    made.alert.update(status="resolved", resolved_at=resolved, owner_email=owner,
                      owner_side=side)


def alert_events(n: int, first: datetime, source: str) -> Made:
    severity = "critical" if n % 100 == 0 else ("high", "medium", "low", "info")[n % 4]
    made = Made({"source": source, "severity": severity, "first_seen": first,
                 "title": f"Alert {n} from {source}"})
    made.add(first, f"source:{source}", "created", {"dedup_key": f"k{n}", "severity": severity})
    owner, side, held = _claims(made, n, first)
    if n % 50 == 5:
        until = held + timedelta(hours=1)
        made.add(held + timedelta(minutes=1), owner, "snooze", {"until": until.isoformat()}, side)
        made.add(until, "tandem", "woke", {"snoozed_until": until.isoformat()})
    if n % 33 == 0:
        _fix(made, n, first, owner, side)
    if n % 40 == 7:
        made.add(held, PEOPLE[OTHER[side]][0], "refused",
                 {"verb": "claim", "reason": f"BENCH-{n} is already claimed"}, OTHER[side])
    if n % 1000 == 0:
        made.add(first + timedelta(minutes=50), PEOPLE["internal"][0], "significant",
                 {"stage": "flagged", "note": "customer data"}, "internal")
    while len(made.events) < EVENTS_PER_ALERT - (n % 10 < 9):  # room for its resolution
        made.add(held + timedelta(minutes=len(made.events)), owner, "comment",
                 {"text": "looking"}, side)
    _ending(made, n, first, owner, side, source)
    made.events.sort(key=lambda e: e["at"])
    return made
