"""A storm card: Slack Block Kit and a Teams Adaptive Card from one StormView.

One line says how many new alerts the source sent and of which severities; then a row
per top alert with a Claim button (the alert card's own claim payload) and an Open
button (its own full card in the channel); then how to list the rest. Titles come
from sources: plain_text on Slack, escaped markdown on Teams.
"""

import math
from typing import Any

from cards import actions as A
from cards import format as F
from cards import slack, teams
from handlers.views import StormRow, StormView

LIST_COMMAND = "tandem alert list --storm {id} --state all"


def headline(view: StormView) -> str:
    """E.g. "37 new alerts from prometheus in 2 min: 7 high, 30 medium"."""
    minutes = max(1, math.ceil((view.last_at - view.opened_at).total_seconds() / 60))
    noun = "alert" if view.count == 1 else "alerts"
    mix = ", ".join(f"{n} {severity}" for severity, n in view.severities)
    return f"🌩 {view.count} new {noun} from {view.source} in {minutes} min: {mix}"


def row_text(row: StormRow) -> str:
    owner = row.owner.label if row.owner else "unclaimed"
    status = F.STATUS_WORDS[row.status]
    alone = " · has its own card" if row.opened else ""
    emoji = F.severity_emoji(row.severity)
    return f"{emoji} {row.short_id} · {row.title} · {status}, {owner}{alone}"


def more_text(view: StormView) -> str:
    return f"and {view.more} more: `{LIST_COMMAND.format(id=view.id)}`" if view.more > 0 else ""


def since_text(view: StormView) -> str:
    return (f"Grouped since {F.clock_time(view.opened_at, view.timezone)} while this channel "
            f"is busy; critical alerts still get their own card.")


def row_actions(row: StormRow) -> tuple[str, ...]:
    """Claim when the alert's own card would offer it; Open until it has its own card."""
    claim = (A.CLAIM,) if A.CLAIM in A.buttons_for(row.status) else ()
    return claim + (() if row.opened else (A.OPEN,))


def _payload(row: StormRow, action: str) -> str:
    return A.ButtonPayload(row.short_id, row.state_version, action).encode()


def render_slack(view: StormView) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": slack.plain(headline(view), slack.HEADER_LIMIT)},
        {"type": "context", "elements": [slack.plain(since_text(view))]},
    ]
    for row in view.rows:
        blocks.append({"type": "section", "text": slack.plain(row_text(row))})
        buttons = [_slack_button(row, action) for action in row_actions(row)]
        if buttons:
            blocks.append({"type": "actions", "block_id": f"storm.{row.short_id}",
                           "elements": buttons})
    more = more_text(view)
    if more:
        blocks.append({"type": "context", "elements": [slack.mrkdwn(more)]})
    return {"text": slack.fit(headline(view)), "blocks": blocks[:slack.MAX_BLOCKS]}


def _slack_button(row: StormRow, action: str) -> dict[str, Any]:
    button = {"type": "button", "action_id": action,
              "text": slack.plain(F.ACTION_TITLES[action], 75), "value": _payload(row, action)}
    if action in slack.BUTTON_STYLES:
        button["style"] = slack.BUTTON_STYLES[action]
    return button


def render_teams(view: StormView) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        teams.text_block(headline(view), size="Large", weight="Bolder"),
        teams.text_block(since_text(view), isSubtle=True, size="Small"),
    ]
    for row in view.rows:
        items = [teams.text_block(row_text(row))]
        actions = [_teams_action(view, row, action) for action in row_actions(row)]
        if actions:
            items.append({"type": "ActionSet", "actions": actions})
        body.append({"type": "Container", "items": items, "separator": True})
    if view.more > 0:
        body.append(teams.markdown_block(more_text(view), size="Small"))
    return teams.card(body, [], headline(view))


def _teams_action(view: StormView, row: StormRow, action: str) -> dict[str, Any]:
    """`storm` in the data tells the invoke handler the click came from a storm card, so
    its answer is a message and the clicker keeps seeing the storm card."""
    extra = {"style": teams.ACTION_STYLES[action]} if action in teams.ACTION_STYLES else {}
    return {"type": "Action.Execute", "title": F.ACTION_TITLES[action], "verb": action,
            "data": {"payload": _payload(row, action), "storm": view.id}, **extra}
