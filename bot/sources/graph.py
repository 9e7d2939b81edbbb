"""Microsoft Graph security alert (`GET /v1.0/security/alerts_v2`) -> AlertIn.

Severity, from `severity` (case-insensitive):
    high          -> high
    medium        -> medium
    low           -> low
    informational -> info
    unknown, unknownFutureValue, anything else, missing -> medium

Fields: `id` (required, dedup_key), `title` (required, clipped at 1024), `description`,
`status` "resolved" -> RESOLVE, else (new, inProgress, missing ...) TRIGGER;
`serviceSource`, `detectionSource`, `category` -> labels under those names;
`alertWebUrl` -> links; `createdDateTime` -> occurred_at. `evidence[]` by "@odata.type":
    #microsoft.graph.security.userEvidence   userAccount.userPrincipalName -> label "user"
    #microsoft.graph.security.deviceEvidence deviceDnsName                 -> label "device"
                                             mdeDeviceId (Defender's id)   -> label "device_id"
    #microsoft.graph.security.ipEvidence     ipAddress                     -> label "ip"
several of one kind are joined with "," (in order, without repeats); other evidence
types are ignored. `parse_alert(item)` reads one alert (paths like `severity`);
`parse(page)` reads a page `{"value": [...]}` (paths like `value[2].severity`).
"""

from bot.sources.fields import (
    MAX_DESCRIPTION,
    MAX_KEY,
    MAX_LABEL,
    MAX_TITLE,
    ROOT,
    Fields,
    at,
    clip,
    http_links,
    item,
)
from handlers.enums import GRAPH_SOURCE, Severity
from handlers.intake import AlertIn, EventAction, PayloadError

SOURCE = GRAPH_SOURCE
EVIDENCE = "#microsoft.graph.security."
KINDS = {"userEvidence": "user", "deviceEvidence": "device", "ipEvidence": "ip"}

SEVERITIES = {
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "informational": Severity.INFO,
}


def _evidence(f: Fields, alert: dict, path: str) -> dict[str, str]:
    found: dict[str, dict[str, None]] = {"user": {}, "device": {}, "device_id": {}, "ip": {}}
    for i, raw in enumerate(f.array(alert, "evidence", path) or []):
        where = item(at(path, "evidence"), i)
        ev = f.is_object(raw, where)
        kind = ev.get("@odata.type") if ev is not None else None
        if ev is None or not isinstance(kind, str) or not kind.startswith(EVIDENCE):
            continue
        label = KINDS.get(kind.removeprefix(EVIDENCE))
        if label == "user":
            account = f.obj(ev, "userAccount", where) or {}
            value = f.text(account, "userPrincipalName", at(where, "userAccount"))
        elif label is not None:
            value = f.text(ev, "deviceDnsName" if label == "device" else "ipAddress", where)
            if label == "device":
                machine = f.text(ev, "mdeDeviceId", where)
                if machine:
                    found["device_id"].setdefault(machine, None)
        else:
            continue
        if value:
            found[label].setdefault(value, None)
    return {label: clip(",".join(values), MAX_LABEL) for label, values in found.items() if values}


def _alert(f: Fields, value: object, path: str) -> AlertIn | None:
    a = f.is_object(value, path)
    if a is None:
        return None
    before = len(f.problems)
    alert_id = f.text(a, "id", path, required=True, max_len=MAX_KEY)
    title = f.text(a, "title", path, required=True)
    description = f.text(a, "description", path) or ""
    severity = f.text(a, "severity", path) or ""
    status = f.text(a, "status", path)
    labels = {
        key: clip(text, MAX_LABEL)
        for key in ("serviceSource", "detectionSource", "category")
        if (text := f.text(a, key, path))
    }
    labels.update(_evidence(f, a, path))
    url = f.text(a, "alertWebUrl", path)
    occurred_at = f.time(a, "createdDateTime", path)
    if len(f.problems) > before or not alert_id or not title:
        return None
    return AlertIn(
        source=SOURCE,
        title=clip(title, MAX_TITLE),
        severity=SEVERITIES.get(severity.lower(), Severity.MEDIUM),
        action=EventAction.RESOLVE if status == "resolved" else EventAction.TRIGGER,
        dedup_key=alert_id,
        description=clip(description, MAX_DESCRIPTION),
        labels=labels,
        links=http_links([url]),
        occurred_at=occurred_at,
    )


def parse_alert(alert: object) -> AlertIn:
    """One element of a page's `value`; raises PayloadError naming every bad field."""
    f = Fields()
    result = _alert(f, alert, ROOT)
    f.check()
    if result is None:  # unreachable: _alert returns None only after a problem
        raise PayloadError(f.problems)
    return result


def parse(payload: object) -> list[AlertIn]:
    """A page `{"value": [alert, ...], "@odata.nextLink": ...}`; nextLink is not read."""
    f = Fields()
    body = f.is_object(payload, ROOT)
    values = f.array(body, "value", ROOT, required=True) if body is not None else None
    alerts = [a for i, raw in enumerate(values or []) if (a := _alert(f, raw, item("value", i)))]
    f.check()
    return alerts
