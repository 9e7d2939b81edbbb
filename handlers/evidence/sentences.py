"""One sentence per audit event of an alert, for an incident's timeline.

A sentence is what the actor did, without the actor ("claimed ACME-7", "approved
Revoke all sign-in sessions of jo@acme.example"): the renderer puts the actor's name
before it. A fix is named as its card names it; approvals and executions do not
repeat which fix they concern, so the narrator remembers the last one proposed.
"""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from handlers.config.schema import TandemConfig
from handlers.evidence.activity import CHANNEL, free_text, instant
from handlers.evidence.names import Names
from handlers.remediation import CLOSE_AT_SOURCE
from handlers.remediation.binding import described
from storage.evidence import Event

STAGES = {
    "flagged": "flagged {a} as a significant incident (NIS2 Article 23)",
    "early_warning": "recorded the NIS2 early warning for {a} as submitted",
    "notification": "recorded the NIS2 incident notification for {a} as submitted",
    "final_report": "recorded the NIS2 final report for {a} as submitted",
}
_FIXED = {
    "claim": "claimed {a}",
    "release": "released {a}",
    "resolved": "resolved {a} at the source",
    "reopen": "reopened {a}",
    "reopened": "fired again and reopened {a}",
    "woke": "woke {a}: its snooze ended",
    "acknowledged": "acknowledged {a} at the source",
    "retriggered": "triggered {a} again at the source",
    "silence.ended": "brought {a} back: its silence ended",
}
_FIX_WORDS = {
    "approve": "approved {fix}",
    "reject": "rejected {fix}",
    "withdraw": "withdrew {fix}",
    "retry": "retried {fix}",
    "execution.running": "started {fix}",
    "execution.succeeded": "executed {fix}",
    "execution.failed": "reported that {fix} failed",
    "execution.expired": "did not carry out {fix}: its approval ran out",
    "approval.reminded": "reminded the approvers of {fix}",
    "remediation.expired": "expired {fix}: nobody decided in time",
}


def fix_name(cfg: TandemConfig, action_id: str, target: dict[str, Any]) -> str:
    """A fix as its card names it: the catalogue's title with its bound target."""
    entry = cfg.remediation(action_id)
    return described(entry.title if entry else action_id,
                     {key: str(value) for key, value in target.items()})


def _with(sentence: str, said: object) -> str:
    text = free_text(said)
    return f"{sentence}: {text}" if text else sentence


class Narrator:
    """Tells one alert's events in order."""

    def __init__(self, cfg: TandemConfig, names: Names, zone: ZoneInfo):
        self.cfg, self.names, self.zone = cfg, names, zone
        self.fix = "its fix"
        self._verbs: dict[str, Callable[[str, dict[str, Any]], str]] = {
            "created": self._created, "reassign": self._reassign, "escalate": self._escalate,
            "ping": self._ping, "ping.fallback": self._fallback, "propose": self._propose,
            "done": lambda a, d: _with(f"carried out {self.fix} by hand", d.get("note")),
            "resolve": lambda a, d: _with(f"resolved {a}", d.get("note")),
            "snooze": self._snooze,
            "comment": lambda a, d: _with(f"commented on {a}", d.get("text")),
            "significant": self._significant, "refused": self._refused,
        }

    def say(self, event: Event) -> str:
        a, details = event.alert or "", event.details or {}
        if event.verb in _FIXED:
            return _FIXED[event.verb].format(a=a)
        if event.verb in _FIX_WORDS:
            return self._fix_event(event.verb, details)
        told = self._verbs.get(event.verb)
        return told(a, details) if told else f"{event.verb} {a}"

    def _fix_event(self, verb: str, details: dict[str, Any]) -> str:
        closing = details.get("kind") == CLOSE_AT_SOURCE
        fix = "Close the alert in Microsoft Graph" if closing else self.fix
        said = details.get("detail") if verb == "execution.failed" else details.get("reason")
        return _with(_FIX_WORDS[verb].format(fix=fix), said)

    def _created(self, a: str, details: dict[str, Any]) -> str:
        sentence = f"raised {a} ({details.get('severity', 'unknown severity')})"
        if details.get("suppressed_by_rule"):
            return f"{sentence}, suppressed by a routing rule"
        return f"{sentence}, silenced by silence {details['silence']}" if details.get(
            "silence") else sentence

    def _reassign(self, a: str, details: dict[str, Any]) -> str:
        to = details.get("to")
        if isinstance(to, str) and to:
            return f"reassigned {a} to {self.names.name(to)}"
        return f"handed {a} to the {details.get('to_side', 'other')} side"

    def _paged(self, details: dict[str, Any]) -> str:
        to = details.get("to")
        return self.names.name(to) if isinstance(to, str) and to else CHANNEL

    def _escalate(self, a: str, details: dict[str, Any]) -> str:
        sentence = f"escalated {a} to level {details.get('level', '?')}"
        if details.get("to_side"):
            sentence += f" and handed it to the {details['to_side']} side"
        pinged = details.get("pinged")
        if isinstance(pinged, dict) and pinged:
            sentence += f" and paged {self._paged(pinged)}"
        return _with(sentence, details.get("reason"))

    def _ping(self, a: str, details: dict[str, Any]) -> str:
        return f"paged {self._paged(details)} about {a} (escalation level {details.get('level')})"

    def _fallback(self, a: str, details: dict[str, Any]) -> str:
        return _with(f"mentioned {self._paged(details)} in the channel about {a} instead of "
                     "a direct message", details.get("reason"))

    def _propose(self, a: str, details: dict[str, Any]) -> str:
        target = details.get("target")
        self.fix = fix_name(self.cfg, str(details.get("remediation") or "a fix"),
                            target if isinstance(target, dict) else {})
        return f"proposed {self.fix} for {a}"

    def _snooze(self, a: str, details: dict[str, Any]) -> str:
        until = instant(details.get("until"))
        when = f" until {until.astimezone(self.zone):%Y-%m-%d %H:%M %Z}" if until else ""
        return _with(f"snoozed {a}{when}", details.get("reason") or details.get("note"))

    def _significant(self, a: str, details: dict[str, Any]) -> str:
        stage = STAGES.get(str(details.get("stage")), "recorded a NIS2 step for {a}")
        return _with(stage.format(a=a), details.get("note"))

    def _refused(self, a: str, details: dict[str, Any]) -> str:
        return _with(f"tried to {details.get('verb', 'act on')} {a} and was refused",
                     details.get("reason"))
