"""PagerDuty Events API v2 body (`POST /v2/enqueue`) -> exactly one AlertIn.

Severity, from `payload.severity` (required on trigger, exact lower-case values):
    critical -> critical
    error    -> high
    warning  -> medium
    info     -> info

Fields: `routing_key` is required (a non-empty string of at most 64 characters; PagerDuty's
own keys are 32); `event_action` is trigger | acknowledge | resolve; `dedup_key` (at most
255) is optional on trigger (empty counts as missing: like PagerDuty, a trigger without a key
gets a fresh one, so it opens a new alert) and required on acknowledge/resolve.
On trigger, `payload` is required with `summary` (title, at most 1024), `source` (label
"source"), `severity`, optional `timestamp` (occurred_at), `component` (service and label
"component"), `group` and `class` (labels). `custom_details`: an object's scalar values
become labels "detail.<key>", nested values their compact JSON; a non-object becomes label
"detail"; detail labels are clipped at 1024 characters rather than rejected. `links[]` of
{href, text} give the links (http(s) hrefs only); `images`, `client`, `client_url` are ignored.
Acknowledge/resolve return a placeholder (title "", severity info) carrying only
dedup_key and action; their `payload`, if any, is not read. Intake gives acknowledge
PagerDuty's meaning (handlers/intake.py): escalation pauses until the next trigger.
"""

import uuid
from dataclasses import replace

from bot.sources.fields import (
    MAX_KEY,
    MAX_LABEL,
    MAX_TITLE,
    ROOT,
    Fields,
    at,
    clip,
    dump,
    http_links,
    item,
    label_value,
)
from handlers.enums import Severity
from handlers.intake import AlertIn, EventAction

SOURCE = "events-v2"
MAX_ROUTING_KEY = 64

SEVERITIES = {
    "critical": Severity.CRITICAL,
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "info": Severity.INFO,
}
SEVERITY_NAMES = tuple(SEVERITIES)
ACTIONS = tuple(EventAction)


def routing_key(payload: object) -> str | None:
    """The routing key if the body is an object holding a non-empty string one (for auth)."""
    if isinstance(payload, dict):
        key = payload.get("routing_key")
        if isinstance(key, str) and key:
            return key
    return None


def _details(f: Fields, value: object, path: str) -> dict[str, str]:
    if value is None:
        return {}
    items = value.items() if isinstance(value, dict) else [(None, value)]
    out: dict[str, str] = {}
    for key, raw in items:
        name = "detail" if key is None else f"detail.{key}"
        try:
            text = dump(raw) if isinstance(raw, dict | list) else label_value(raw)
        except ValueError:
            f.fail(path if key is None else at(path, key), "is nested too deeply")
            continue
        if text is not None:
            out[name] = clip(text, MAX_LABEL)
    return out


def _links(f: Fields, body: dict) -> tuple[str, ...]:
    hrefs = []
    for i, raw in enumerate(f.array(body, "links", ROOT) or []):
        link = f.is_object(raw, item("links", i))
        if link is not None:
            hrefs.append(f.text(link, "href", item("links", i), required=True))
            f.text(link, "text", item("links", i))
    return http_links(hrefs)


def _trigger(f: Fields, p: dict, dedup_key: str | None) -> AlertIn | None:
    before = len(f.problems)
    summary = f.text(p, "summary", "payload", required=True, max_len=MAX_TITLE)
    labels = {
        key: value
        for key in ("source", "component", "group", "class")
        if (value := f.text(p, key, "payload", required=key == "source", max_len=MAX_LABEL))
    }
    severity = f.choice(p, "severity", "payload", SEVERITY_NAMES, required=True)
    occurred_at = f.time(p, "timestamp", "payload")
    details = _details(f, p.get("custom_details"), "payload.custom_details")
    if len(f.problems) > before or summary is None or severity is None:
        return None
    return AlertIn(
        source=SOURCE,
        title=summary,
        severity=SEVERITIES[severity],
        action=EventAction.TRIGGER,
        dedup_key=dedup_key or uuid.uuid4().hex,
        labels={**details, **labels},
        service=labels.get("component"),
        occurred_at=occurred_at,
    )


def parse(payload: object) -> list[AlertIn]:
    f = Fields()
    body = f.is_object(payload, ROOT)
    if body is None:
        f.check()
        return []
    f.text(body, "routing_key", ROOT, required=True, max_len=MAX_ROUTING_KEY)
    action = f.choice(body, "event_action", ROOT, ACTIONS, required=True)
    needs_key = action in (EventAction.ACKNOWLEDGE, EventAction.RESOLVE)
    dedup_key = f.text(body, "dedup_key", ROOT, required=needs_key, max_len=MAX_KEY) or None
    if action != EventAction.TRIGGER:
        f.check()  # raises when the action is missing or bad
        done = EventAction.RESOLVE if action == EventAction.RESOLVE else EventAction.ACKNOWLEDGE
        return [
            AlertIn(
                source=SOURCE, title="", severity=Severity.INFO, action=done, dedup_key=dedup_key
            )
        ]
    p = f.obj(body, "payload", ROOT, required=True)
    alert = _trigger(f, p, dedup_key) if p is not None else None
    links = _links(f, body)
    f.check()
    assert alert is not None  # check() passed
    return [replace(alert, links=links)]
