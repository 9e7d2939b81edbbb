"""Wording and formatting shared by the Slack, Teams and plain-text renderers.

Everything here returns plain strings; platform escaping is the caller's job.
"""

import re
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from cards import actions as A
from handlers.enums import Severity, Status
from handlers.timing.zones import zone_or_utc
from handlers.views import AlertView

DESCRIPTION_LIMIT = 2900  # under Block Kit's 3,000-char section text limit, with room
FIELD_LIMIT = 200
LABEL_LIMIT = 6
LABEL_VALUE_LIMIT = 60
LINK_LIMIT = 5
URL_LIMIT = 500
# A link's name is its host when that is a plain DNS name (no markup characters).
_HOST = re.compile(r"[a-z0-9][a-z0-9.-]*")
# Kept as they are in a link target; anything else (spaces, parentheses, `|`, `<`, `>`,
# backslashes, non-ASCII) is percent-encoded, so no surface's link syntax can end early.
_URL_SAFE = "/:?#[]@!$&'*+,;=%~"
# Label keys whose value the card already shows as a field.
SHOWN_LABELS = frozenset({"severity", "service", "status", "tenant", "source"})

# Emoji for every platform, and the Adaptive Cards TextBlock colour.
SEVERITY_STYLE = {
    Severity.CRITICAL: ("🔴", "attention"),
    Severity.HIGH: ("🟠", "attention"),
    Severity.MEDIUM: ("🟡", "warning"),
    Severity.LOW: ("🔵", "accent"),
    Severity.INFO: ("⚪", "default"),
}
STATUS_WORDS = {
    Status.OPEN: "Open",
    Status.CLAIMED: "Claimed",
    Status.REMEDIATION_PENDING: "Fix awaiting approval",
    Status.REMEDIATION_APPROVED: "Fix approved",
    Status.REMEDIATION_REJECTED: "Fix rejected",
    Status.SNOOZED: "Snoozed",
    Status.SILENCED: "Silenced",
    Status.RESOLVED: "Resolved",
}
# An approved fix's status, once it ran (or lapsed, or was done by hand).
FIX_STATUS_WORDS = {
    "executing": "Fix running",
    "executed": "Fix executed",
    "failed": "Fix failed",
    "expired": "Fix expired",
    "done": "Fix done by hand",
}
ACTION_TITLES = {
    A.CLAIM: "Claim",
    A.RELEASE: "Release",
    A.ESCALATE: "Escalate",
    A.PROPOSE: "Propose fix",
    A.APPROVE: "Approve fix",
    A.REJECT: "Reject fix",
    A.RETRY: "Retry",
    A.DONE: "Done by hand",
    A.WITHDRAW: "Withdraw fix",
    A.RESOLVE: "Resolve",
    A.REOPEN: "Reopen",
    A.SNOOZE: "Snooze",
    A.SIGNIFICANT: "Significant",
    A.HISTORY: "History",
    A.REFRESH: "Refresh",
    A.OPEN: "Open",
}


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, marking a cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def local_time(at: datetime, timezone: str) -> datetime:
    """`at` in the tenant's zone; a naive time is taken as UTC, an unknown zone as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(zone_or_utc(timezone))


def format_time(at: datetime, timezone: str) -> str:
    """E.g. '2026-11-22 14:02 GMT'."""
    return local_time(at, timezone).strftime("%Y-%m-%d %H:%M %Z")


def clock_time(at: datetime, timezone: str) -> str:
    """E.g. '14:02'."""
    return local_time(at, timezone).strftime("%H:%M")


def severity_emoji(severity: Severity | str) -> str:
    return SEVERITY_STYLE[Severity(severity)][0]


def header_colour(view: AlertView) -> str:
    return "good" if view.status == Status.RESOLVED else SEVERITY_STYLE[view.severity][1]


def status_text(view: AlertView) -> str:
    words = STATUS_WORDS.get(view.status, str(view.status))
    if view.status == Status.REMEDIATION_APPROVED and view.remediation is not None:
        words = FIX_STATUS_WORDS.get(view.remediation.status, words)
    if view.status == Status.SNOOZED and view.snoozed_until is not None:
        return f"{words} until {format_time(view.snoozed_until, view.timezone)}"
    return words


def owner_text(view: AlertView) -> str:
    if view.owner is not None:
        return view.owner.label
    return f"Unclaimed ({view.owner_side} side)" if view.owner_side else "Unclaimed"


def escalation_text(level: int) -> str:
    return f"Level {level}" if level > 0 else "Not escalated"


def source_ack_text(view: AlertView) -> str:
    """The line saying the source acknowledged the alert, or "" (none, or resolved)."""
    if view.source_acknowledged_at is None or view.status == Status.RESOLVED:
        return ""
    at = format_time(view.source_acknowledged_at, view.timezone)
    return f"✋ Acknowledged at source {at} · escalation paused until it triggers again"


def headline(view: AlertView) -> str:
    """Emoji, short id and title: the card's header line."""
    return f"{severity_emoji(view.severity)} {view.short_id} · {view.title}"


def summary_line(view: AlertView) -> str:
    """One line for notifications and fallbacks."""
    return f"{headline(view)} [{view.severity}] — {status_text(view)}, {owner_text(view)}"


def fields(view: AlertView) -> list[tuple[str, str]]:
    """(title, value) pairs shown as Slack section fields / a Teams FactSet (at most 10)."""
    rows = [
        ("Severity", str(view.severity).capitalize()),
        ("Status", status_text(view)),
        ("Tenant", view.tenant_name),
        ("Source", view.source),
        ("Owner", owner_text(view)),
        ("Escalation", escalation_text(view.escalation_level)),
        ("Occurrences", str(view.count)),
        ("First seen", format_time(view.first_seen, view.timezone)),
        ("Last seen", format_time(view.last_seen, view.timezone)),
    ]
    if view.service:
        rows.append(("Service", view.service))
    return [(title, truncate(value, FIELD_LIMIT)) for title, value in rows]


def label_chips(view: AlertView) -> tuple[list[str], int]:
    """Up to LABEL_LIMIT 'key=value' strings, sorted, and how many more were left out."""
    keys = sorted(k for k in view.labels if k not in SHOWN_LABELS)
    if view.labels.get("alertname") == view.title:
        keys = [k for k in keys if k != "alertname"]
    chips = [truncate(f"{k}={view.labels[k]}", LABEL_VALUE_LIMIT) for k in keys[:LABEL_LIMIT]]
    return chips, max(len(keys) - LABEL_LIMIT, 0)


def labels_text(view: AlertView, sep: str = ", ") -> str:
    chips, hidden = label_chips(view)
    return sep.join(chips) + (f"{sep}+{hidden} more" if hidden else "")


def link_items(view: AlertView) -> list[tuple[str, str]]:
    """(name, url) for up to LINK_LIMIT http(s) links; other schemes are dropped."""
    items = []
    for url in view.links:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and len(url) <= URL_LIMIT:
            host = parts.hostname or ""
            items.append((host if _HOST.fullmatch(host) else "link", url))
    return items[:LINK_LIMIT]


def link_target(url: str) -> str:
    """`url` as a link target in markdown or Slack's `<url|name>`."""
    return quote(url, safe=_URL_SAFE)


def description(view: AlertView) -> str:
    return truncate(view.description.strip(), DESCRIPTION_LIMIT)


def action_title(action: str, view: AlertView) -> str:
    """A button's title on this alert's card: Done, for a fix that is done by hand anyway."""
    rem = view.remediation
    if action == A.DONE and rem is not None and rem.manual and rem.status == "approved":
        return "Done"
    return ACTION_TITLES[action]
