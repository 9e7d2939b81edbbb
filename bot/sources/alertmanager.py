"""Prometheus Alertmanager webhook (`version: "4"`): one AlertIn per element of `alerts[]`.

Severity, from `labels.severity` (case-insensitive, surrounding blanks ignored):
    critical                -> critical
    error, high, page       -> high
    warning, warn           -> medium
    low                     -> low
    info, none              -> info
    anything else, missing  -> medium

Fields: dedup_key = `fingerprint` (None when missing or empty); action = RESOLVE when the
alert's `status` is "resolved", else TRIGGER (a status other than firing/resolved is a
problem); title = `annotations.summary`, else `labels.alertname` (one of them is required;
clipped at 1024 characters); description = `annotations.description`; labels = the alert's
labels; links = `generatorURL`; service = `labels.service`, else `labels.job`;
occurred_at = `startsAt`. A missing `version` is accepted; any value but "4" is a problem.

`parse_body` and `parse_alert` are shared with the Grafana parser.
"""

from collections.abc import Sequence

from bot.sources.fields import (
    MAX_DESCRIPTION,
    MAX_KEY,
    MAX_TITLE,
    ROOT,
    Fields,
    at,
    clip,
    http_links,
    item,
)
from handlers.enums import Severity
from handlers.intake import AlertIn, EventAction

SOURCE = "alertmanager"

SEVERITIES = {
    "critical": Severity.CRITICAL,
    "error": Severity.HIGH,
    "high": Severity.HIGH,
    "page": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "warn": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
    "none": Severity.INFO,
}


def severity_of(labels: dict[str, str]) -> Severity:
    return SEVERITIES.get(labels.get("severity", "").strip().lower(), Severity.MEDIUM)


def parse_alert(
    f: Fields,
    alert: object,
    path: str,
    *,
    source: str = SOURCE,
    link_keys: Sequence[str] = ("generatorURL",),
) -> AlertIn | None:
    """One element of `alerts[]`; problems go to `f` and the result is then None."""
    a = f.is_object(alert, path)
    if a is None:
        return None
    before = len(f.problems)
    labels = f.labels(a, "labels", path)
    notes = f.obj(a, "annotations", path) or {}
    notes_path = at(path, "annotations")
    summary = f.text(notes, "summary", notes_path)
    description = f.text(notes, "description", notes_path) or ""
    title = (summary or "").strip() or labels.get("alertname", "").strip()
    if not title:
        f.fail(at(path, "labels.alertname"), "is required when annotations.summary is missing")
    status = f.choice(a, "status", path, ("firing", "resolved"))
    fingerprint = f.text(a, "fingerprint", path, max_len=MAX_KEY)
    urls = [f.text(a, key, path) for key in link_keys]
    occurred_at = f.time(a, "startsAt", path)
    if len(f.problems) > before:
        return None
    return AlertIn(
        source=source,
        title=clip(title, MAX_TITLE),
        severity=severity_of(labels),
        action=EventAction.RESOLVE if status == "resolved" else EventAction.TRIGGER,
        dedup_key=fingerprint or None,
        description=clip(description, MAX_DESCRIPTION),
        labels=labels,
        links=http_links(urls),
        service=labels.get("service") or labels.get("job") or None,
        occurred_at=occurred_at,
    )


def parse_body(
    payload: object,
    *,
    source: str = SOURCE,
    version: str = "4",
    link_keys: Sequence[str] = ("generatorURL",),
) -> list[AlertIn]:
    """An Alertmanager-shaped body: `version` (optional, must equal `version`) and `alerts[]`."""
    f = Fields()
    body = f.is_object(payload, ROOT)
    if body is None:
        f.check()
        return []
    if body.get("version") is not None and body.get("version") != version:
        f.fail("version", f'must be "{version}"')
    out = []
    for i, raw in enumerate(f.array(body, "alerts", ROOT, required=True) or []):
        alert = parse_alert(f, raw, item("alerts", i), source=source, link_keys=link_keys)
        if alert is not None:
            out.append(alert)
    f.check()
    return out


def parse(payload: object) -> list[AlertIn]:
    return parse_body(payload)
