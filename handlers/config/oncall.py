"""Per-tenant configuration for who gets woken up: on-call schedules, escalation
policies, approval reminders, the daily digest and acknowledgement SLAs.

Cross-references to people, layers and channels are checked by the schema
(handlers/config/schema.py, reference_problems) once every tenant and person is known.
"""

import re
from datetime import date, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handlers.config.hours import LayerHours
from handlers.enums import Severity
from handlers.timing.parse import DAYS, parse_clock, parse_duration
from handlers.timing.zones import known_zone

_LAYER_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Frozen(BaseModel):
    # The same settings as handlers.config.Strict, which imports this module.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def valid_duration(value: str) -> str:
    """A pydantic field validator: the value must read as a duration (15m, 2h, 1d)."""
    parse_duration(value)
    return value


class Rotation(_Frozen):
    """Members take turns: a new one every `every`, at `handoff` local time.

    Turns count from the first handoff on or after `start`; `handoff` is a time
    ("18:00") or a weekday and time ("mon 09:00").
    """

    every: str = "1w"
    handoff: str = "mon 09:00"
    start: date

    _every = field_validator("every")(valid_duration)

    @field_validator("handoff")
    @classmethod
    def _handoff(cls, value: str) -> str:
        handoff_parts(value)
        return value

    @property
    def period(self) -> timedelta:
        return parse_duration(self.every)


def handoff_parts(text: str) -> tuple[int | None, time]:
    """'mon 09:00' -> (0, 09:00); '18:00' -> (None, 18:00)."""
    words = text.lower().split()
    if len(words) == 2 and words[0] in DAYS:
        return DAYS.index(words[0]), parse_clock(words[1])
    if len(words) == 1:
        return None, parse_clock(words[0])
    raise ValueError(f"{text!r} is not a handoff; write it like 18:00 or mon 09:00")


class Layer(_Frozen):
    """One rotation; the first layer whose window covers an instant is on call then."""

    name: str = Field(pattern=_LAYER_NAME)
    members: list[str] = Field(min_length=1)
    rotation: Rotation
    timezone: str | None = None  # default: the tenant's
    only: LayerHours | None = None

    @field_validator("members")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [email.lower() for email in value]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and known_zone(value) is None:
            raise ValueError(f"unknown time zone {value!r}")
        return value


ON_CALL = "on-call"
CHANNEL = "channel"


class Step(_Frozen):
    """After `after` unclaimed (counted from the start of the round), notify someone.

    notify: "on-call" (whoever is on call), "on-call:<layer>", "channel" (mention
    the on-call person in the tenant's channels) or a person's email (a DM).
    """

    after: str
    notify: str

    _after = field_validator("after")(valid_duration)

    @field_validator("notify")
    @classmethod
    def _notify(cls, value: str) -> str:
        value = value.strip().lower()
        layer = value.removeprefix(f"{ON_CALL}:")
        if value in (ON_CALL, CHANNEL) or _EMAIL.match(value):
            return value
        if value.startswith(f"{ON_CALL}:") and re.match(_LAYER_NAME, layer):
            return value
        raise ValueError(
            f"{value!r} is not someone to notify; use on-call, on-call:<layer>, channel or an email"
        )

    @property
    def delay(self) -> timedelta:
        return parse_duration(self.after)


class EscalationPolicy(_Frozen):
    """Ordered steps for alerts of the listed severities, run 1 + `repeat` times."""

    severities: list[Severity] = Field(default=list(Severity), alias="for")
    steps: list[Step] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0, le=10)

    @model_validator(mode="after")
    def _increasing(self) -> "EscalationPolicy":
        for i in range(1, len(self.steps)):
            if self.steps[i].delay <= self.steps[i - 1].delay:
                raise ValueError(
                    f"steps[{i}].after: {self.steps[i].after} must be later than the step "
                    f"before it ({self.steps[i - 1].after}); `after` counts from the round's start"
                )
        return self


class ApprovalReminders(_Frozen):
    remind_after: str = "30m"
    expire_after: str = "4h"

    _durations = field_validator("remind_after", "expire_after")(valid_duration)

    @model_validator(mode="after")
    def _order(self) -> "ApprovalReminders":
        if parse_duration(self.expire_after) <= parse_duration(self.remind_after):
            raise ValueError(
                f"expire_after ({self.expire_after}) must be longer than "
                f"remind_after ({self.remind_after})"
            )
        return self


class Digest(_Frozen):
    at: str = "08:30"  # local time of day
    channels: list[str] = []  # channel ids of this tenant; empty = all of them

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


class AckSla(_Frozen):
    """How long an alert may stay unclaimed before it counts as an SLA breach."""

    critical: str = "15m"
    high: str = "30m"
    medium: str = "4h"
    low: str = "1d"

    _durations = field_validator("critical", "high", "medium", "low")(valid_duration)

    def limit(self, severity: Severity) -> timedelta | None:
        value = getattr(self, severity.value, None)
        return parse_duration(value) if value else None


class SnoozeLimits(_Frozen):
    """The longest snooze per severity; `partner` caps a partner's snooze of an alert
    whose fixes need an internal approver (approval.internal_approver_for): beyond it an
    internal person must snooze it, as internal IT stays in the lead."""

    critical: str = "4h"
    high: str = "12h"
    medium: str = "3d"
    low: str = "7d"
    info: str = "7d"
    partner: str = "1h"

    _durations = field_validator("critical", "high", "medium", "low", "info", "partner")(
        valid_duration)

    def limit(self, severity: Severity) -> timedelta:
        return parse_duration(getattr(self, severity.value))
