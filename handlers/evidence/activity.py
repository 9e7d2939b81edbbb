"""Escalations, snoozes and silences as the report lists them."""

from datetime import datetime
from typing import Any

from handlers.evidence.names import Names
from handlers.evidence.view import Escalation, Quiet
from storage.evidence import Event
from storage.models import Silence

CHANNEL = "the channel"


def _paged(details: dict[str, Any], names: Names) -> tuple[tuple[str, ...], str | None]:
    """Who a ping's details say was paged (a step that notifies the channel mentions the
    person on call there, when there is one), and their side."""
    to = details.get("to")
    person = (names.name(to),) if isinstance(to, str) and to else ()
    channel = (CHANNEL,) if details.get("notify") == "channel" or not person else ()
    return (*channel, *person), names.side(to) if person else None


def escalation(event: Event, names: Names) -> Escalation:
    """A step of the escalation policy ("ping") or the Escalate button ("escalate"),
    which pages the step it skipped to, or hands the alert to the other side."""
    details = event.details or {}
    pinged = details if event.verb == "ping" else details.get("pinged")
    to_side = details.get("to_side")
    if isinstance(pinged, dict) and pinged:
        notified, side = _paged(pinged, names)
    elif isinstance(to_side, str):
        notified, side = (f"the {to_side} side",), to_side
    else:
        notified, side = (), None
    return Escalation(event.alert or "", event.at, int(details.get("level") or 0), notified,
                      side)


def free_text(value: object) -> str:
    """Something a person typed, on one line."""
    return " ".join(str(value or "").split())


def instant(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def snooze(event: Event, names: Names) -> Quiet:
    details = event.details or {}
    return Quiet("snooze", names.name(event.actor), event.actor_side,
                 free_text(details.get("reason") or details.get("note")), event.at,
                 instant(details.get("until")), event.alert or "")


def matchers_text(matchers: dict[str, Any], every: str | None) -> str:
    text = ", ".join(f"{key}={value}" for key, value in sorted(matchers.items()))
    return f"{text} (every {every})" if every else text


def silence(row: Silence, names: Names) -> Quiet:
    return Quiet("silence", names.name(row.created_by), names.side(row.created_by),
                 free_text(row.reason), row.starts_at, row.ends_at,
                 matchers_text(row.matchers, row.every))
