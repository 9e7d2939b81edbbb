"""A hand-made month for the report's renderers: every section filled, and markup in the
strings that came from sources and people (it must come out escaped)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from handlers.enums import Severity
from handlers.evidence.view import (
    Checkpoint,
    Clock,
    DayCounts,
    Escalation,
    Incident,
    NoisySource,
    OnCallHours,
    Quiet,
    Remediation,
    ReportView,
    SlaBreaches,
    TimelineEntry,
    Times,
)

SCRIPT = '<script>alert("x")</script>'
DANA = 'Dana "DR" Reyes & co'
SAM = "Sam O'Neil"
SOURCES = ("alertmanager", "graph", f"edr {SCRIPT}", "zabbix & co", "cloudwatch", "uptime")
START = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # 1 November 2026, 00:00 in Berlin
GENERATED = datetime(2026, 12, 1, 5, 0, 3, tzinfo=UTC)
# The figures the summary must show, formatted.
MTTA_ALL = ("4 min 12 s", "25 min 10 s")
MTTR_ALL = ("1 h 05 min", "5 h 33 min")
OVERALL_ROW = f"Overall {' '.join(MTTA_ALL)} 204 {' '.join(MTTR_ALL)} 195"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of November 2026, given in Berlin's winter time (UTC+1)."""
    return START + timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second)


def day_counts(number: int) -> DayCounts:
    severities = [number % 2, number % 4, (number * 3) % 7, number % 5, (number * 2) % 3]
    sources = [(number * 5) % 9, number % 4, number % 3, number % 2, (number + 1) % 3, 0]
    other = sum(severities) - sum(sources)
    by_source = dict(zip(SOURCES, sources, strict=True))
    if other < 0:  # keep the two breakdowns adding up to the same total
        by_source[SOURCES[0]] += other
        other = 0
    return DayCounts(
        day=date(2026, 11, number),
        by_severity=dict(zip((str(s) for s in Severity), severities, strict=True)),
        by_source={**by_source, "other": other},
    )


def incidents() -> tuple[Incident, ...]:
    critical = Incident(
        alert="ACME-7", title=f"Ransomware note on fs-1 {SCRIPT}", severity="critical",
        source="graph", detected=at(3, 14, 2, 7), assessed=at(3, 14, 6, 19),
        contained=at(3, 14, 40), resolved=at(3, 16, 2), significant_at=None, clocks=(),
        timeline=(
            TimelineEntry(at(3, 14, 2, 7), "graph", None, "raised ACME-7"),
            TimelineEntry(at(3, 14, 6, 19), DANA, "partner", "claimed ACME-7"),
            TimelineEntry(at(3, 14, 20), DANA, "partner",
                          "proposed Isolate fs-1 & revoke <sessions>"),
            TimelineEntry(at(3, 14, 31), SAM, "internal", "approved Isolate fs-1"),
            TimelineEntry(at(3, 14, 40), "tandem", None, "executed Isolate fs-1"),
            TimelineEntry(at(3, 16, 2), SAM, "internal", "resolved ACME-7"),
        ),
    )
    significant = Incident(
        alert="ACME-31", title="Mailbox rule forwarding to \"outside\" & co", severity="high",
        source="graph", detected=at(18, 9, 15), assessed=at(18, 9, 20, 42), contained=None,
        resolved=None, significant_at=at(18, 10, 0),
        clocks=(
            Clock("early warning", at(19, 10, 0), at(19, 8, 30), "met"),
            Clock("notification", at(21, 10, 0), None, "missed"),
            Clock("final report", at(30, 10, 0) + timedelta(days=21), None, "open"),
        ),
        timeline=(
            TimelineEntry(at(18, 9, 15), "graph", None, "raised ACME-31"),
            TimelineEntry(at(18, 9, 20, 42), SAM, "internal", "claimed ACME-31"),
            TimelineEntry(at(18, 10, 0), SAM, "internal", "flagged ACME-31 significant"),
        ),
    )
    return critical, significant


def report() -> ReportView:
    days = tuple(day_counts(n) for n in range(1, 31))
    total = sum(sum(d.by_severity.values()) for d in days)
    return ReportView(
        tenant_id="acme", tenant_name='Acme & "Sons" <Ltd>', month="2026-11",
        timezone="Europe/Berlin", starts=START, ends=START + timedelta(days=30),
        generated_at=GENERATED, alerts=total, resolved=total - 9, days=days,
        mtta=(Times("all", 204, 252.0, 1510.0), Times("internal", 121, 190.0, 900.0),
              Times("partner", 83, 400.0, 1800.0)),
        mttr=(Times("all", 195, 3929.0, 19980.0), Times("internal", 110, 2700.0, 14400.0),
              Times("partner", 85, 5400.0, 93600.0)),
        sla_breaches=(
            SlaBreaches("critical", 300.0, 15, 2), SlaBreaches("high", 900.0, 60, 5),
            SlaBreaches("medium", 3600.0, 90, 0), SlaBreaches("low", 14400.0, 60, 0),
            SlaBreaches("info", 86400.0, 30, 0),
        ),
        escalations=(
            Escalation("ACME-7", at(3, 14, 7), 1, (DANA,), "partner"),
            Escalation("ACME-12", at(9, 2, 30), 2, (SAM, "the channel"), None),
        ),
        remediations=(
            Remediation("ACME-7", "Isolate fs-1 & revoke <sessions>", DANA, "partner",
                        at(3, 14, 20), SAM, at(3, 14, 31), "executed", at(3, 14, 40), 2273.0),
            Remediation("ACME-12", f"Restart {SCRIPT}", SAM, "internal", at(9, 3), DANA,
                        at(9, 3, 10), "rejected", None, None),
            Remediation("ACME-31", "Remove mailbox rule \"fwd\"", SAM, "internal",
                        at(18, 9, 40), None, None, "pending", None, None),
        ),
        quiet=(
            Quiet("silence", SAM, "internal", f"Maintenance <b>window</b> & 'planned' {SCRIPT}",
                  at(12, 22), at(13, 2), 'service="db" & env=<prod>'),
            Quiet("snooze", DANA, "partner", "", at(20, 8), None, "ACME-40"),
        ),
        on_call=(
            OnCallHours("internal", SAM, 240.0), OnCallHours("internal", "Ada <admin>", 120.5),
            OnCallHours("partner", DANA, 360.0),
        ),
        noisiest=(
            NoisySource("alertmanager", 120, 0.4), NoisySource(f"edr {SCRIPT}", 60, 0.2),
            NoisySource("zabbix & co", 45, 0.15),
        ),
        incidents=incidents(),
        first_checkpoint=Checkpoint(1041, "9f" * 32, at(1, 6, 0, 1), "MEQCIA" + "b" * 82),
        last_checkpoint=Checkpoint(2260, "0a" * 32, at(30, 6, 0, 2), "MEUCIQ" + "A" * 80 + "=="),
    )


def empty_report() -> ReportView:
    """A month in which nothing happened."""
    days = tuple(DayCounts(date(2026, 11, n), {str(s): 0 for s in Severity}, {})
                 for n in range(1, 31))
    nothing = tuple(Times(side, 0, None, None) for side in ("all", "internal", "partner"))
    return replace(
        report(), alerts=0, resolved=0, days=days, mtta=nothing, mttr=nothing,
        sla_breaches=(), escalations=(), remediations=(), quiet=(), on_call=(), noisiest=(),
        incidents=(), first_checkpoint=None, last_checkpoint=None,
    )
