"""NIS2 Article 23's clocks for a significant incident, and the steps recorded on an alert.

The clocks start when the incident was flagged (when the company became aware that it
is significant): the early warning is due within 24 hours, the incident notification
within 72 hours, and the final report within one month of the notification (of its
submission once recorded, else of when it was due). A month is a calendar month in the
tenant's time zone, clamped to the month's last day (31 January -> 28 February).
"""

from calendar import monthrange
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.enums import Nis2Stage
from handlers.views import SignificantView

REPORTS = (Nis2Stage.EARLY_WARNING, Nis2Stage.NOTIFICATION, Nis2Stage.FINAL_REPORT)
# As people type a report's name in chat and on the command line.
TYPED = {stage: stage.value.replace("_", "-") for stage in REPORTS}
_AFTER_AWARE = {Nis2Stage.EARLY_WARNING: timedelta(hours=24),
                Nis2Stage.NOTIFICATION: timedelta(hours=72)}


def parse_stage(text: str | None) -> Nis2Stage:
    """The step a command records: none named is the flag; a report by its typed name
    (early-warning), its stored one (early_warning) or its words (early warning)."""
    wanted = "-".join((text or "").lower().replace("_", " ").split())
    if not wanted:
        return Nis2Stage.FLAGGED
    for stage, typed in TYPED.items():
        if wanted == typed:
            return stage
    names = ", ".join(TYPED.values())
    raise ValueError(f"There is no NIS2 report called {text!r}; name one of: {names}.")


def show_time(at: datetime, timezone: str) -> str:
    """E.g. '2026-11-21 14:02 GMT', in the tenant's zone (as cards show times)."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def add_month(at: datetime, timezone: str) -> datetime:
    """The same wall-clock time one calendar month later in `timezone`, in UTC."""
    local = at.astimezone(ZoneInfo(timezone))
    year, month = local.year + local.month // 12, local.month % 12 + 1
    day = min(local.day, monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def deadlines(flagged_at: datetime, recorded: Mapping[Nis2Stage, datetime],
              timezone: str) -> dict[Nis2Stage, datetime]:
    """When each report is due, for an incident flagged at `flagged_at` with the reports
    in `recorded` submitted at those times."""
    due = {stage: flagged_at + after for stage, after in _AFTER_AWARE.items()}
    notified = recorded.get(Nis2Stage.NOTIFICATION, due[Nis2Stage.NOTIFICATION])
    return due | {Nis2Stage.FINAL_REPORT: add_month(notified, timezone)}


def entry(at: datetime, by: str, note: str) -> dict[str, str]:
    """One step as the alert row keeps it (`Alert.significant_stages[stage]`)."""
    return {"at": at.isoformat(), "by": by, "note": note}


def significant_view(flagged_at: datetime | None, stages: Mapping[str, Any],
                     timezone: str) -> SignificantView | None:
    """The alert's significance from its row's columns; None when it was never flagged."""
    if flagged_at is None:
        return None
    recorded = {stage: datetime.fromisoformat(stages[stage.value]["at"])
                for stage in REPORTS if stage.value in stages}
    due = deadlines(flagged_at, recorded, timezone)
    open_ = [stage for stage in REPORTS if stage not in recorded]
    nxt = open_[0] if open_ else None
    flag = stages.get(Nis2Stage.FLAGGED.value) or {}
    return SignificantView(
        flagged_at=flagged_at, reason=str(flag.get("note", "")),
        recorded=tuple(recorded.items()), next_stage=nxt,
        next_due=due[nxt] if nxt else None)
