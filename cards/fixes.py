"""How cards word an alert's fix: what it acts on, who proposed and decided it, and
what became of it once approved (queued, running, executed, failed ...).

Plain strings, like cards.format; platform escaping is the caller's job.
"""

from cards import actions as A
from cards.format import FIELD_LIMIT, clock_time, format_time, truncate
from cards.significant import FORM_ABOUT
from handlers.views import AlertView, ExecutionView, RemediationView

# What a platform calls the id of the job an execution started, by the kind's prefix.
_EXTERNAL = (("defender.", "Defender action"), ("awx.", "AWX job"),
             ("azure_automation.", "Azure Automation job"), ("graph.", "Graph request"),
             ("webhook", "webhook"))
EXTERNAL_ID_SHOWN = 12  # longer ids (GUIDs) are cut on the card; the CLI shows them whole


def remediation_lines(rem: RemediationView, timezone: str = "UTC") -> tuple[str, list[str]]:
    """A heading and detail lines for the proposed (or decided) fix: what it acts on, who
    proposed and who decided it, then what became of it."""
    heading = f"Fix proposed: {rem.described or rem.title} — by {rem.proposed_by.label}"
    if rem.decided_by is None and rem.needs_internal_approver:
        heading += ", needs an internal approver"
    lines = [f"Note: {rem.note}"] if rem.note else []
    if rem.decided_by is not None:
        decision = f"{_decision_word(rem.status)} by {rem.decided_by.label}"
        lines.append(f"{decision}: {rem.decision_reason}" if rem.decision_reason else decision)
    elif rem.reason_required:
        lines.append("Approving it needs a reason")
    if progress := progress_text(rem):
        lines.append(progress)
    if rem.decided_by is None and (rem.reminded_at or rem.expires_at):
        lines.append(deadline_text(rem, timezone))
    return truncate(heading, FIELD_LIMIT * 2), [truncate(line, FIELD_LIMIT * 2) for line in lines]


def form_about(view: AlertView, action: str) -> str:
    """The line a form shows under the alert's headline (what the fix is, what flagging
    an incident significant starts), or ""."""
    if action == A.SIGNIFICANT:
        return FORM_ABOUT
    rem = view.remediation
    if rem is None or action not in (A.DONE, A.APPROVE):
        return ""
    return f"Fix: {rem.described or rem.title}"


def _decision_word(status: str) -> str:
    """A decided fix's status is its decision, or (approved) what became of it since."""
    return status.capitalize() if status in ("rejected", "withdrawn") else "Approved"


def progress_text(rem: RemediationView) -> str:
    """What became of an approved fix ("" before it was approved, or when it was not)."""
    if rem.decided_by is None or rem.status in ("rejected", "withdrawn"):
        return ""
    if rem.status == "done":
        return "Fix done by hand"
    if rem.manual:
        return "Fix approved — waiting for someone to do it by hand, then press Done"
    return f"Fix {execution_text(rem.execution)}"


def execution_text(run: ExecutionView | None) -> str:
    """E.g. "running (Defender action 7b1c2d3e…)", "failed: Graph answered 403 …"."""
    if run is None or (run.status == "queued" and not run.retrying):
        return "queued"
    ref = f" ({external_ref(run)})" if run.external_id else ""
    if run.retrying:
        said = run.detail or "the platform was busy"
        return said if said.startswith("retrying") else f"retrying: {said}"
    return {
        "launching": "starting",
        "running": f"running{ref}",
        "succeeded": f"executed ✓{ref}",
        "failed": f"failed: {run.detail}" if run.detail else "failed",
        "expired": "expired: the approval ran out",
    }.get(run.status, run.status)


def external_ref(run: ExecutionView, limit: int = EXTERNAL_ID_SHOWN) -> str:
    """The platform's name for what the execution started, and its id (long ones cut)."""
    name = next((words for prefix, words in _EXTERNAL if run.kind.startswith(prefix)), "id")
    shown = run.external_id if len(run.external_id) <= limit else run.external_id[:8] + "…"
    return f"{name} {shown}"


def deadline_text(rem: RemediationView, timezone: str) -> str:
    """E.g. 'Approvers reminded 14:32 · lapses 2026-11-22 18:02 GMT'."""
    parts = []
    if rem.reminded_at:
        parts.append(f"Approvers reminded {clock_time(rem.reminded_at, timezone)}")
    if rem.expires_at:
        parts.append(f"lapses {format_time(rem.expires_at, timezone)}")
    return "⏰ " + " · ".join(parts)
