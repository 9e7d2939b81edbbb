"""Plain-text rendering for the CLI and for chat notification fallbacks.

A title, a name or a note may hold control characters, a newline included: each line
built from them is printable() (cards.escape), so no source can add a line (forge an
alert in a list, an entry in a history) or move a terminal's cursor. Only a
description keeps its own line breaks.
"""

from typing import Any

from cards import format as F
from cards.escape import printable
from cards.fixes import remediation_lines
from cards.significant import significant_lines
from handlers.enums import Status
from handlers.views import AlertView, ExecutionView, HistoryEntry

DETAILS_LIMIT = 120


def summary(view: AlertView) -> str:
    """The alert on one line (F.summary_line), whatever its title holds."""
    return printable(F.summary_line(view))


def render_alert(view: AlertView) -> str:
    lines = [F.summary_line(view)]
    lines += [f"{title}: {value}" for title, value in F.fields(view)]
    lines += significant_lines(view)
    if acknowledged := F.source_ack_text(view):
        lines.append(acknowledged)
    labels = F.labels_text(view)
    if labels:
        lines.append(f"Labels: {labels}")
    if view.remediation is not None and view.status != Status.RESOLVED:
        heading, details = remediation_lines(view.remediation, view.timezone)
        lines += [heading, *(f"  {line}" for line in details)]
    lines += [f"Link: {url}" for _, url in F.link_items(view)]
    lines = [printable(line) for line in lines]
    description = F.description(view)
    if description:
        lines += ["", *(printable(line) for line in description.split("\n"))]
    return "\n".join(lines)


def render_remediation(view: AlertView) -> str:
    """The alert's fix in full: what it acts on, who proposed and decided it, and its
    latest execution (`tandem remediation status`)."""
    rem = view.remediation
    if rem is None:
        return f"{view.short_id} shows no fix: it is {F.status_text(view).lower()}."
    heading, details = remediation_lines(rem, view.timezone)
    target = ", ".join(f"{name}={value}" for name, value in sorted(rem.target.items()))
    lines = [F.summary_line(view), heading, *(f"  {line}" for line in details),
             f"  Catalogue entry: {rem.action_id} ({rem.status})"]
    if target:
        lines.append(f"  Target: {target}")
    if rem.execution is not None:
        lines += _execution(rem.execution, view.timezone)
    return "\n".join(printable(line) for line in lines)


def _execution(run: ExecutionView, timezone: str) -> list[str]:
    lines = [f"Execution {run.id} ({run.kind}): {run.status}, "
             f"{run.attempts} attempt{'' if run.attempts == 1 else 's'}"]
    if run.external_id:
        lines.append(f"  External id: {run.external_id}")
    if run.detail:
        lines.append(f"  Detail: {run.detail}")
    for word, at in (("Started", run.started_at), ("Finished", run.finished_at)):
        if at is not None:
            lines.append(f"  {word}: {F.format_time(at, timezone)}")
    return lines


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
    return printable("  ".join(parts))


def _details(details: dict[str, Any]) -> str:
    """'key=value' pairs, sorted, one line, cut to DETAILS_LIMIT."""
    pairs = (f"{k}={_one_line(v)}" for k, v in sorted(details.items(), key=lambda kv: str(kv[0])))
    return F.truncate(", ".join(pairs), DETAILS_LIMIT)


def _one_line(value: object) -> str:
    return " ".join(str(value).split())
