"""What a source parser hands to intake: one alert event, already in Tandem's terms."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from handlers.enums import Severity


class EventAction(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class AlertIn:
    """One event from a source.

    `dedup_key` is the source's own identity for the alert (Alertmanager fingerprint,
    Events v2 dedup_key, Azure alertId, Graph alert id); None lets intake derive a
    stable key from tenant, source and labels.
    """

    source: str
    title: str
    severity: Severity
    action: EventAction = EventAction.TRIGGER
    dedup_key: str | None = None
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    service: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class FieldProblem:
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class PayloadError(Exception):
    """A payload that cannot be turned into alerts; names every bad field by its JSON path."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
