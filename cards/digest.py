"""The daily digest as plain text, a Slack Block Kit message and a Teams Adaptive Card.

All three say the same lines (built once, below); only the markup differs.
"""

from typing import Any

from cards import escape, slack, teams
from cards import format as F
from cards.escape import markdown
from handlers.views import DigestAlert, DigestApproval, DigestView, ResponseTimes

SIDE_NAMES = {"all": "All", "internal": "Internal", "partner": "Partner"}


def duration(seconds: float | None) -> str:
    """E.g. '45s', '12m', '1h 05m', '2d 3h'; '–' when there is nothing to measure."""
    if seconds is None:
        return "–"
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, hours = whole // 60, whole // 3600
    if hours == 0:
        return f"{minutes}m"
    if hours < 24:
        return f"{hours}h {minutes % 60:02d}m" if minutes % 60 else f"{hours}h"
    return f"{hours // 24}d {hours % 24}h" if hours % 24 else f"{hours // 24}d"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one}" if count == 1 else f"{count} {many or one + 's'}"


def title(view: DigestView) -> str:
    return f"📊 Daily digest · {view.tenant_name}"


def period(view: DigestView) -> str:
    return (f"{F.format_time(view.since, view.timezone)} – "
            f"{F.format_time(view.until, view.timezone)}")


def counts(view: DigestView) -> list[tuple[str, str]]:
    breaches = sum(b.count for b in view.sla_breaches)
    return [("New", str(view.new)), ("Resolved", str(view.resolved)),
            ("Open now", str(view.open)), ("Unclaimed now", str(view.unclaimed)),
            ("SLA breaches", str(breaches))]


def summary(view: DigestView) -> str:
    """One line for notifications and fallbacks."""
    breaches = sum(b.count for b in view.sla_breaches)
    return (f"{title(view)}: {view.new} new, {view.resolved} resolved, {view.open} open, "
            f"{view.unclaimed} unclaimed, {plural(breaches, 'SLA breach', 'SLA breaches')}")


def breach_detail(view: DigestView) -> str:
    return ", ".join(f"{b.severity} {b.count} (ack > {duration(b.limit_seconds)})"
                     for b in view.sla_breaches)


def response_line(times: ResponseTimes) -> str:
    return (f"{SIDE_NAMES.get(times.side, times.side)}: MTTA {duration(times.mtta_seconds)} "
            f"({times.acknowledged} claimed) · MTTR {duration(times.mttr_seconds)} "
            f"({times.resolved} resolved)")


def alert_line(item: DigestAlert, timezone: str) -> str:
    who = item.owner.label if item.owner else "unclaimed"
    late = " · over ack SLA" if item.over_sla else ""
    return (f"{F.severity_emoji(item.severity)} {item.short_id} {F.truncate(item.title, 80)} · "
            f"{who} · since {F.format_time(item.first_seen, timezone)}{late}")


def approval_line(item: DigestApproval, timezone: str) -> str:
    need = " · needs an internal approver" if item.needs_internal_approver else ""
    return (f"{item.short_id} {item.fix} · proposed by {item.proposed_by.label} "
            f"{F.format_time(item.proposed_at, timezone)}{need}")


def sections(view: DigestView) -> list[tuple[str, list[str]]]:
    """(heading, lines) for each non-empty part after the counts."""
    tz = view.timezone
    found = [
        ("Response times", [response_line(r) for r in view.response
                            if r.side == "all" or r.acknowledged or r.resolved]),
        ("SLA breaches", [breach_detail(view)] if view.sla_breaches else []),
        ("Oldest unclaimed", [alert_line(a, tz) for a in view.oldest_unclaimed]),
        ("Oldest open", [alert_line(a, tz) for a in view.oldest_open]),
        ("Fixes awaiting approval", [approval_line(a, tz) for a in view.pending_approvals]),
        ("Noisiest sources", [f"{n.source}: {plural(n.alerts, 'alert')}, "
                              f"{plural(n.events, 'event')}" for n in view.noisiest]),
    ]
    return [(heading, lines) for heading, lines in found if lines]


def render_text(view: DigestView) -> str:
    lines = [title(view), period(view)]
    lines.append(" · ".join(f"{name}: {value}" for name, value in counts(view)))
    for heading, rows in sections(view):
        lines += ["", f"{heading}:", *(f"  {escape.printable(row)}" for row in rows)]
    return "\n".join(lines)


def render_slack(view: DigestView) -> dict[str, Any]:
    blocks = [
        {"type": "header", "text": slack.plain(title(view), slack.HEADER_LIMIT)},
        {"type": "context", "elements": [slack.mrkdwn(escape.slack(period(view)))]},
        {"type": "section", "block_id": "digest.counts",
         "fields": [slack.mrkdwn(f"*{name}*\n{value}") for name, value in counts(view)]},
    ]
    for heading, rows in sections(view):
        text = "\n".join([heading, *(f"• {row}" for row in rows)])
        blocks.append({"type": "section", "text": slack.plain(text)})
    return {"text": slack.fit(summary(view)), "blocks": blocks[: slack.MAX_BLOCKS]}


def render_teams(view: DigestView) -> dict[str, Any]:
    body = [
        teams.text_block(title(view), size="Large", weight="Bolder"),
        teams.text_block(period(view), isSubtle=True, spacing="None"),
        teams.facts(counts(view)),
    ]
    for heading, rows in sections(view):
        items = [teams.text_block(heading, weight="Bolder"),
                 *(teams.markdown_block(f"- {markdown(row)}", spacing="None") for row in rows)]
        body.append({"type": "Container", "items": items, "separator": True})
    return teams.card(body, [], summary(view))
