"""Azure Monitor common alert schema -> exactly one AlertIn.

Severity, from `data.essentials.severity` (required, exact values):
    Sev0 -> critical
    Sev1 -> high
    Sev2 -> medium
    Sev3 -> low
    Sev4 -> info

Fields: `schemaId` must be "azureMonitorCommonAlertSchema"; `data.essentials` is required
with `alertId` (dedup_key, at most 255), `alertRule` (title, clipped at 1024),
`severity`, `monitorCondition` Fired | Resolved (TRIGGER / RESOLVE); optional
`description`, `firedDateTime` (occurred_at, also for Resolved), `monitoringService` and
`signalType` (labels under those names), `alertTargetIDs[]` (the first ID's last path
segment, e.g. the VM name, is the service). `data.customProperties` (an object of
scalars, or null) become labels; essentials' labels win on a clash. `alertContext` and
`configurationItems` are not read.
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
    item,
)
from handlers.enums import Severity
from handlers.intake import AlertIn, EventAction

SOURCE = "azure-monitor"
SCHEMA_ID = "azureMonitorCommonAlertSchema"
ESSENTIALS = "data.essentials"

SEVERITIES = {
    "Sev0": Severity.CRITICAL,
    "Sev1": Severity.HIGH,
    "Sev2": Severity.MEDIUM,
    "Sev3": Severity.LOW,
    "Sev4": Severity.INFO,
}
SEVERITY_NAMES = tuple(SEVERITIES)
CONDITIONS = {"Fired": EventAction.TRIGGER, "Resolved": EventAction.RESOLVE}


def _service(f: Fields, essentials: dict) -> str | None:
    targets = f.array(essentials, "alertTargetIDs", ESSENTIALS) or []
    ids = []
    for i, target in enumerate(targets):
        if isinstance(target, str):
            ids.append(target)
        else:
            f.fail(item(at(ESSENTIALS, "alertTargetIDs"), i), "must be a string")
    if not ids:
        return None
    return ids[0].rstrip("/").rsplit("/", 1)[-1][:MAX_KEY] or None


def parse(payload: object) -> list[AlertIn]:
    f = Fields()
    body = f.is_object(payload, ROOT)
    if body is None:
        f.check()
        return []
    f.choice(body, "schemaId", ROOT, (SCHEMA_ID,), required=True)
    data = f.obj(body, "data", ROOT, required=True)
    essentials = None if data is None else f.obj(data, "essentials", "data", required=True)
    if data is None or essentials is None:
        f.check()  # raises: data or data.essentials is a problem
        return []
    alert_id = f.text(essentials, "alertId", ESSENTIALS, required=True, max_len=MAX_KEY)
    rule = f.text(essentials, "alertRule", ESSENTIALS, required=True)
    severity = f.choice(essentials, "severity", ESSENTIALS, SEVERITY_NAMES, required=True)
    condition = f.choice(
        essentials, "monitorCondition", ESSENTIALS, tuple(CONDITIONS), required=True
    )
    description = f.text(essentials, "description", ESSENTIALS) or ""
    occurred_at = f.time(essentials, "firedDateTime", ESSENTIALS)
    labels = f.labels(data, "customProperties", "data")
    for key in ("monitoringService", "signalType"):
        if value := f.text(essentials, key, ESSENTIALS, max_len=MAX_LABEL):
            labels[key] = value
    service = _service(f, essentials)
    f.check()
    assert alert_id and rule and severity and condition  # check() passed
    return [
        AlertIn(
            source=SOURCE,
            title=clip(rule, MAX_TITLE),
            severity=SEVERITIES[severity],
            action=CONDITIONS[condition],
            dedup_key=alert_id,
            description=clip(description, MAX_DESCRIPTION),
            labels=labels,
            service=service,
            occurred_at=occurred_at,
        )
    ]
