"""Tandem's own JSON: one alert object, or a non-empty list of at most 1000 of them.

Severity: `severity` is required and is already one of Tandem's severities, taken as is:
    critical, high, medium, low, info  (anything else is a problem)

Fields of each alert: `title` (required, at most 1024), `severity`, `source` (optional
string of at most 64, default "api"), `dedup_key` (optional, at most 255), `labels`
(object of strings; numbers and booleans are turned into strings, nulls dropped),
`description` (at most 16384), `links` (list of http(s) URL strings, at most 2048 each),
`service` (at most 255), `occurred_at` (optional RFC 3339 time), `status` (optional,
"firing" | "acknowledged" | "resolved"; acknowledged means ACKNOWLEDGE, resolved means
RESOLVE, and both then need `dedup_key`).
Paths: a single object's fields are `title`, `severity` ...; list items are
`[3].severity`.
"""

from bot.sources.fields import (
    MAX_DESCRIPTION,
    MAX_KEY,
    MAX_LINK,
    MAX_TITLE,
    ROOT,
    Fields,
    at,
    item,
)
from handlers.enums import Severity
from handlers.intake import AlertIn, EventAction

DEFAULT_SOURCE = "api"
MAX_ITEMS = 1000
MAX_SOURCE = 64
ACTIONS = {"firing": EventAction.TRIGGER, "acknowledged": EventAction.ACKNOWLEDGE,
           "resolved": EventAction.RESOLVE}
STATUSES = tuple(ACTIONS)
SEVERITIES = tuple(Severity)


def _links(f: Fields, alert: dict, path: str) -> tuple[str, ...]:
    urls: list[str] = []
    for i, url in enumerate(f.array(alert, "links", path) or []):
        if (
            isinstance(url, str)
            and url.startswith(("https://", "http://"))
            and len(url) <= MAX_LINK
        ):
            urls.append(url)
        else:
            f.fail(item(at(path, "links"), i), f"must be an http(s) URL of at most {MAX_LINK}")
    return tuple(dict.fromkeys(urls))


def _alert(f: Fields, value: object, path: str) -> AlertIn | None:
    a = f.is_object(value, path)
    if a is None:
        return None
    before = len(f.problems)
    title = f.text(a, "title", path, required=True, max_len=MAX_TITLE)
    severity = f.choice(a, "severity", path, SEVERITIES, required=True)
    source = f.text(a, "source", path, max_len=MAX_SOURCE) or DEFAULT_SOURCE
    dedup_key = f.text(a, "dedup_key", path, max_len=MAX_KEY) or None
    labels = f.labels(a, "labels", path)
    description = f.text(a, "description", path, max_len=MAX_DESCRIPTION) or ""
    links = _links(f, a, path)
    service = f.text(a, "service", path, max_len=MAX_KEY) or None
    occurred_at = f.time(a, "occurred_at", path)
    status = f.choice(a, "status", path, STATUSES)
    if status not in (None, "firing") and a.get("dedup_key") in (None, ""):
        f.fail(at(path, "dedup_key"), f"is required when status is {status}")
    if len(f.problems) > before or title is None or severity is None:
        return None
    return AlertIn(
        source=source,
        title=title,
        severity=Severity(severity),
        action=ACTIONS[status or "firing"],
        dedup_key=dedup_key,
        description=description,
        labels=labels,
        links=links,
        service=service,
        occurred_at=occurred_at,
    )


def parse(payload: object) -> list[AlertIn]:
    f = Fields()
    if isinstance(payload, dict):
        items: list[tuple[object, str]] = [(payload, ROOT)]
    elif isinstance(payload, list):
        items = [(value, item(ROOT, i)) for i, value in enumerate(payload)]
        if not items:
            f.fail(ROOT, "must not be empty")
        elif len(items) > MAX_ITEMS:
            f.fail(ROOT, f"must have at most {MAX_ITEMS} items")
            items = []
    else:
        f.fail(ROOT, "must be an object or a list of objects")
        items = []
    alerts = [a for value, path in items if (a := _alert(f, value, path)) is not None]
    f.check()
    return alerts
