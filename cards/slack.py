"""An alert as a Slack Block Kit message: {"text": fallback, "blocks": [...]}."""

from typing import Any

from cards import actions as A
from cards import format as F
from cards.escape import slack as escape
from cards.fixes import remediation_lines
from cards.significant import significant_lines
from handlers.enums import Status
from handlers.views import AlertView

MAX_BLOCKS = 50
TEXT_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_STYLES = {A.CLAIM: "primary", A.REJECT: "danger"}


def fit(text: str, limit: int = TEXT_LIMIT) -> str:
    """Escape, then cut so the escaped text fits `limit` without splitting an entity."""
    out = escape(text)
    if len(out) <= limit:
        return out
    pieces, size = [], 0
    for piece in map(escape, text):
        if size + len(piece) > limit - 1:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces).rstrip() + "…"


def plain(text: str, limit: int = TEXT_LIMIT) -> dict[str, Any]:
    """Text shown as it is: Slack parses neither mrkdwn nor mentions in plain_text, so
    this is where text from a source or a person goes. `emoji` off keeps `:name:`
    literal too (Tandem's own emoji are Unicode characters, shown either way)."""
    return {"type": "plain_text", "text": F.truncate(text, limit), "emoji": False}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def render_alert(view: AlertView, allowed: frozenset[str] | None = None) -> dict[str, Any]:
    blocks = [
        {"type": "header", "text": plain(F.headline(view), HEADER_LIMIT)},
        _fields_block(view),
        *_significant_blocks(view),
        *_source_ack_blocks(view),
        *_labels_blocks(view),
        *_description_blocks(view),
        *_links_blocks(view),
        *_remediation_blocks(view),
        _actions_block(view, allowed),
    ]
    return {"text": fit(F.summary_line(view)), "blocks": blocks[:MAX_BLOCKS]}


def _fields_block(view: AlertView) -> dict[str, Any]:
    cells = [plain(f"{title}\n{value}") for title, value in F.fields(view)]
    return {"type": "section", "block_id": "alert.fields", "fields": cells}


def _significant_blocks(view: AlertView) -> list[dict[str, Any]]:
    lines = significant_lines(view)
    if not lines:
        return []
    return [{"type": "section", "block_id": "alert.significant", "text": plain("\n".join(lines))}]


def _source_ack_blocks(view: AlertView) -> list[dict[str, Any]]:
    text = F.source_ack_text(view)
    return [{"type": "context", "elements": [mrkdwn(escape(text))]}] if text else []


def _labels_blocks(view: AlertView) -> list[dict[str, Any]]:
    text = F.labels_text(view, sep=" · ")
    return [{"type": "context", "elements": [plain(text)]}] if text else []


def _description_blocks(view: AlertView) -> list[dict[str, Any]]:
    text = F.description(view)
    return [{"type": "section", "text": plain(text)}] if text else []


def _links_blocks(view: AlertView) -> list[dict[str, Any]]:
    items = F.link_items(view)
    if not items:
        return []
    links = [f"<{escape(F.link_target(url))}|{escape(name)}>" for name, url in items]
    while len(" · ".join(links)) > TEXT_LIMIT:
        links.pop()
    return [{"type": "context", "elements": [mrkdwn(" · ".join(links))]}] if links else []


def _remediation_blocks(view: AlertView) -> list[dict[str, Any]]:
    if view.remediation is None or view.status == Status.RESOLVED:
        return []
    heading, lines = remediation_lines(view.remediation, view.timezone)
    text = "\n".join([heading, *lines])
    return [{"type": "section", "block_id": "alert.remediation", "text": plain(text)}]


def _actions_block(view: AlertView, allowed: frozenset[str] | None) -> dict[str, Any]:
    primary, secondary = A.card_actions(view.status, allowed, view.remediation,
                                        flagged=view.significant is not None)
    elements = [_button(view, action) for action in primary]
    if len(secondary) >= 2:
        elements.append(_overflow(view, secondary))
    else:
        elements.extend(_button(view, action) for action in secondary)
    return {"type": "actions", "block_id": "alert.actions", "elements": elements}


def _payload(view: AlertView, action: str) -> str:
    return A.ButtonPayload(view.short_id, view.state_version, action).encode()


def _button(view: AlertView, action: str) -> dict[str, Any]:
    button = {
        "type": "button",
        "action_id": action,
        "text": plain(F.action_title(action, view), 75),
        "value": _payload(view, action),
    }
    if action in BUTTON_STYLES:
        button["style"] = BUTTON_STYLES[action]
    return button


def _overflow(view: AlertView, actions: tuple[str, ...]) -> dict[str, Any]:
    options = [
        {"text": plain(F.action_title(action, view), 75), "value": _payload(view, action)}
        for action in actions
    ]
    return {"type": "overflow", "action_id": A.OVERFLOW, "options": options}
