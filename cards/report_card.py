"""The monthly report's chat messages: the Slack file's title and comment, and the Teams
card with its download link (the PDF itself is cards/report/'s)."""

from datetime import datetime
from typing import Any

from cards import escape, teams
from cards import format as F
from cards.report.words import month_name


def title(month: str) -> str:
    return f"Incident-response report for {month_name(month)}"


def filename(tenant_id: str, month: str) -> str:
    """Tenant ids are lowercase letters, digits and dashes: safe in a file name."""
    return f"tandem-report-{tenant_id}-{month}.pdf"


def summary(tenant_name: str, month: str) -> str:
    """Plain text: a notification's preview, a card's fallback."""
    return f"{title(month)} · {tenant_name}"


def slack_comment(tenant_name: str, month: str) -> str:
    """The message the file is shared with (Slack mrkdwn: the name's `&<>` escaped)."""
    return f"📄 {title(month)} · {escape.slack(tenant_name)}"


def render_teams(tenant_name: str, month: str, url: str, expires: datetime,
                 timezone: str) -> dict[str, Any]:
    """An Adaptive Card with the title and one button opening Tandem's signed link."""
    body = [
        teams.text_block(f"📄 {title(month)}", size="Large", weight="Bolder"),
        teams.text_block(tenant_name, isSubtle=True, spacing="None"),
        teams.text_block(f"The link works until {F.format_time(expires, timezone)}.",
                         isSubtle=True, size="Small"),
    ]
    download = {"type": "Action.OpenUrl", "title": "Download the report (PDF)", "url": url}
    return teams.card(body, [download], summary(tenant_name, month))
