"""What a silence is: matchers, its time (start, end, optional weekly window), and which
silences are in force. Matching alerts are stored and audited, never posted, and come
back when the silence ends (ends.py). Adding and expiring: changes.py. The silences
themselves are read and written by storage/silences.py.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Severity
from handlers.timing.weekly import Window
from storage import silences as stored
from storage.models import Silence
from storage.unit import Session

_SEVERITIES = ", ".join(s.value for s in Severity)
EVERY_FORM = "DAYS HH:MM-HH:MM, e.g. sun 02:00-04:00 or mon-fri 22:00-23:00"


def parse_matchers(pairs: list[str]) -> dict[str, str]:
    """`key=value` strings into a dict; raises ValueError naming a bad one."""
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{pair!r} is not key=value")
        found[key.strip()] = value.strip()
    if not found:
        raise ValueError("a silence needs at least one key=value matcher")
    if "severity" in found and found["severity"] not in {s.value for s in Severity}:
        raise ValueError(f"{found['severity']!r} is not a severity; use one of {_SEVERITIES}")
    return found


def parse_every(text: str) -> Window:
    """A silence's weekly window, written like business_hours: days as `mon-fri` or
    `sat,sun`, then a clock range, 'sun 02:00-04:00' (`fri 22:00-02:00` runs overnight);
    raises ValueError naming the problem."""
    parts = text.split()
    first, dash, last = parts[-1].partition("-") if len(parts) == 2 else ("", "", "")
    if not dash:
        raise ValueError(f"{text!r} is not a weekly window; write {EVERY_FORM}")
    window = Window.parse(parts[0], first, last)
    if window.start == window.end:
        raise ValueError(f"{text!r} starts and ends at the same time; write {EVERY_FORM}")
    return window


def every_text(text: str) -> str:
    """A weekly window parse_every accepts, as it is stored and shown: 'sun 02:00-04:00'."""
    parse_every(text)
    return " ".join(text.split()).lower()


class Matchable(Protocol):
    """What matchers read of an alert: an incoming AlertIn or a stored Alert."""

    @property
    def labels(self) -> Mapping[str, str]: ...
    @property
    def source(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def title(self) -> str: ...


def fields_of(alert: Matchable, severity: str | None = None) -> dict[str, str]:
    """What matchers compare: the labels, then source, severity and title (an incoming
    event or a stored alert; `severity` is the one routing settled on)."""
    return {**alert.labels, "source": alert.source,
            "severity": str(severity or alert.severity), "title": alert.title}


def matches(matchers: dict[str, str], fields: dict[str, str]) -> bool:
    return all(fields.get(k) == v for k, v in matchers.items())


def in_force(silence: Silence, zone: ZoneInfo, at: datetime) -> bool:
    """Whether the silence keeps alerts quiet at `at`: inside its span and, for a weekly
    one, inside a window (read in the tenant's time zone)."""
    if not silence.starts_at <= at < silence.ends_at:
        return False
    return silence.every is None or parse_every(silence.every).holds(at.astimezone(zone))


async def active(session: Session, tenant: TenantConfig, at: datetime) -> list[Silence]:
    """The tenant's silences in force at `at`."""
    zone = ZoneInfo(tenant.timezone)
    return [s for s in await stored.unended(session, tenant.id, at) if in_force(s, zone, at)]
