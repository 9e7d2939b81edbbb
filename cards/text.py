"""Plain-text rendering for the CLI and for chat notification fallbacks."""

from typing import Any

from cards import format as F
from handlers.enums import Status
from handlers.views import AlertView, HistoryEntry

DETAILS_LIMIT = 120


def render_alert(view: AlertView) -> str:
    lines = [F.summary_line(view)]
    lines += [f"{title}: {value}" for title, value in F.fields(view)]
    if acknowledged := F.source_ack_text(view):
        lines.append(acknowledged)
    labels = F.labels_text(view)
    if labels:
        lines.append(f"Labels: {labels}")
    if view.remediation is not None and view.status != Status.RESOLVED:
        heading, details = F.remediation_lines(view.remediation, view.timezone)
        lines += [heading, *(f"  {line}" for line in details)]
    lines += [f"Link: {url}" for _, url in F.link_items(view)]
    description = F.description(view)
    if description:
        lines += ["", description]
    return "\n".join(lines)


def render_history(short_id: str, entries: list[HistoryEntry], timezone: str) -> str:
    if not entries:
        return f"No history for {short_id}."
    return "\n".join([f"History of {short_id}", *(_entry(e, timezone) for e in entries)])


def _entry(entry: HistoryEntry, timezone: str) -> str:
    actor = f"{entry.actor} ({entry.actor_side})" if entry.actor_side else entry.actor
    parts = [f"#{entry.seq}", F.format_time(entry.at, timezone), actor, entry.verb]
    if entry.from_status or entry.to_status:
        parts.append(f"{entry.from_status or '-'} -> {entry.to_status or '-'}")
    details = _details(entry.details)
    if details:
        parts.append(details)
    return "  ".join(parts)


def _details(details: dict[str, Any]) -> str:
    """'key=value' pairs, sorted, one line, cut to DETAILS_LIMIT."""
    pairs = (f"{k}={_one_line(v)}" for k, v in sorted(details.items(), key=lambda kv: str(kv[0])))
    return F.truncate(", ".join(pairs), DETAILS_LIMIT)


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
