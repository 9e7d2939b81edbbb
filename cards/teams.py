"""An alert as a Teams Adaptive Card 1.5 with Action.Execute (Universal Actions)."""

from typing import Any

from cards import actions as A
from cards import format as F
from cards.escape import markdown
from cards.fixes import remediation_lines
from cards.significant import significant_lines
from handlers.enums import Status
from handlers.views import AlertView

CARD_TYPE = "application/vnd.microsoft.card.adaptive"  # an attachment's content type
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_REFRESH_USERS = 60
ACTION_STYLES = {A.CLAIM: "positive", A.REJECT: "destructive"}


def card(
    body: list[dict[str, Any]], actions: list[dict[str, Any]], fallback: str
) -> dict[str, Any]:
    """The Adaptive Card envelope shared by alert cards and forms."""
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "fallbackText": fallback,
        "body": body,
        "actions": actions,
    }


def text_block(text: str, **style: str | bool) -> dict[str, Any]:
    """A TextBlock showing `text` literally (TextBlocks render markdown)."""
    return markdown_block(markdown(text), **style)


def markdown_block(text: str, **style: str | bool) -> dict[str, Any]:
    """A TextBlock of Tandem's own markdown, whose source text the caller escaped."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A FactSet; Teams renders its values as markdown, so they are escaped."""
    return {"type": "FactSet",
            "facts": [{"title": title, "value": markdown(value)} for title, value in pairs]}


def execute(view: AlertView, action: str, title: str, **extra: str) -> dict[str, Any]:
    """An Action.Execute whose verb is the action id and whose data carries the payload."""
    payload = A.ButtonPayload(view.short_id, view.state_version, action).encode()
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": action,
        "data": {"payload": payload},
        **extra,
    }


def render_alert(
    view: AlertView,
    allowed: frozenset[str] | None = None,
    refresh_user_ids: list[str] | None = None,
) -> dict[str, Any]:
    body = [
        text_block(F.headline(view), size="Large", weight="Bolder", color=F.header_colour(view)),
        facts(F.fields(view)),
        *_significant(view),
        *_source_ack(view),
        *_labels(view),
        *_description(view),
        *_links(view),
        *_remediation(view),
    ]
    result = card(body, _actions(view, allowed), F.summary_line(view))
    if refresh_user_ids is not None:
        result["refresh"] = {
            "action": execute(view, A.REFRESH, F.ACTION_TITLES[A.REFRESH]),
            "userIds": list(refresh_user_ids[:MAX_REFRESH_USERS]),
        }
    return result


def refreshed_alert(card: dict[str, Any]) -> str | None:
    """The alert an alert card shows, read back from its refresh action; None for any
    other card."""
    try:
        return A.ButtonPayload.decode(card["refresh"]["action"]["data"]["payload"]).alert_id
    except (ValueError, KeyError, TypeError):
        return None


def _significant(view: AlertView) -> list[dict[str, Any]]:
    lines = significant_lines(view)
    if not lines:
        return []
    items = [text_block(lines[0], weight="Bolder"), *(text_block(line) for line in lines[1:])]
    return [{"type": "Container", "style": "attention", "items": items}]


def _source_ack(view: AlertView) -> list[dict[str, Any]]:
    text = F.source_ack_text(view)
    return [text_block(text, weight="Bolder", color="warning")] if text else []


def _labels(view: AlertView) -> list[dict[str, Any]]:
    text = F.labels_text(view, sep=" · ")
    return [text_block(text, isSubtle=True, size="Small")] if text else []


def _description(view: AlertView) -> list[dict[str, Any]]:
    text = F.description(view)
    return [text_block(text, separator=True)] if text else []


def _links(view: AlertView) -> list[dict[str, Any]]:
    items = F.link_items(view)
    if not items:
        return []
    links = " · ".join(f"[{markdown(name)}]({F.link_target(url)})" for name, url in items)
    return [markdown_block(links, size="Small")]


def _remediation(view: AlertView) -> list[dict[str, Any]]:
    rem = view.remediation
    if rem is None or view.status == Status.RESOLVED:
        return []
    heading, lines = remediation_lines(rem, view.timezone)
    items = [text_block(heading, weight="Bolder"), *(text_block(line) for line in lines)]
    waiting = rem.needs_internal_approver and rem.decided_by is None
    style = "attention" if waiting or rem.status == "failed" else "emphasis"
    return [{"type": "Container", "style": style, "items": items, "separator": True}]


def _actions(view: AlertView, allowed: frozenset[str] | None) -> list[dict[str, Any]]:
    primary, secondary = A.card_actions(view.status, allowed, view.remediation,
                                        flagged=view.significant is not None)
    actions = [_action(view, action) for action in primary]
    actions += [_action(view, action, mode="secondary") for action in secondary]
    return actions


def _action(view: AlertView, action: str, **extra: str) -> dict[str, Any]:
    if action in ACTION_STYLES:
        extra["style"] = ACTION_STYLES[action]
    return execute(view, action, F.action_title(action, view), **extra)
