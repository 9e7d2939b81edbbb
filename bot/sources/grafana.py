"""Grafana alerting webhook: the Alertmanager body plus `orgId`, `title`, `state`, `message`.

Each alert is read by `alertmanager.parse_alert`, so fields and severity are the same:

Severity, from `labels.severity` (case-insensitive):
    critical -> critical; error, high, page -> high; warning, warn -> medium;
    low -> low; info, none -> info; anything else or missing -> medium.
(Grafana rules carry no severity label unless the rule author adds one, so most Grafana
alerts arrive as medium.)

Differences from Alertmanager: source "grafana"; Grafana sends `version: "1"` (missing is
accepted, any other value is a problem); links = `generatorURL`, `dashboardURL`, `panelURL`,
`silenceURL` when present and non-empty. The top-level `orgId`, `title`, `state`,
`message` and each alert's `values`, `valueString`, `imageURL` are not used.
"""

from bot.sources import alertmanager
from handlers.intake import AlertIn

SOURCE = "grafana"
LINK_KEYS = ("generatorURL", "dashboardURL", "panelURL", "silenceURL")


def parse(payload: object) -> list[AlertIn]:
    return alertmanager.parse_body(payload, source=SOURCE, version="1", link_keys=LINK_KEYS)
