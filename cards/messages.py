"""Plain messages (thread notes, direct messages, channel pings) for Slack and Teams.

The text is plain text that may quote sources and people; a Mention marks the
stretch of it that names someone, which becomes a real mention: `<@U…>` in Slack,
`<at>Name</at>` plus a mention entity in Teams. Everything else is shown literally.
"""

from dataclasses import dataclass
from typing import Any

from cards.escape import markdown, slack, xml


@dataclass(frozen=True)
class Mention:
    """`text[start:end]` names a person; `user` is their id on the platform the message
    goes to (a Slack user id; a Teams user id "29:…" or Microsoft Entra object id), if known."""

    start: int
    end: int
    name: str
    user: str | None = None


def _split(text: str, mention: Mention) -> tuple[str, str]:
    return text[: mention.start], text[mention.end:]


def slack_message(text: str, mention: Mention | None = None) -> dict[str, Any]:
    """chat.postMessage arguments: rich text (never parsed as mrkdwn) and an escaped
    notification text; a mention without a Slack user id stays their name."""
    if mention is None or not mention.user:
        return {"text": slack(text), "blocks": [_rich_text([_text(text)])]}
    before, after = _split(text, mention)
    user = {"type": "user", "user_id": mention.user}
    elements = [_text(before), user, _text(after)]
    fallback = f"{slack(before)}<@{mention.user}>{slack(after)}"
    return {"text": fallback, "blocks": [_rich_text(elements)]}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _rich_text(elements: list[dict[str, Any]]) -> dict[str, Any]:
    shown = [e for e in elements if e["type"] != "text" or e["text"]]
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": shown}]}


def teams_message(text: str, mention: Mention | None = None) -> dict[str, Any]:
    """Bot Framework activity fields: plain text, or markdown with an `<at>` mention."""
    if mention is None or not mention.user:
        return {"text": text, "text_format": "plain", "entities": None}
    before, after = _split(text, mention)
    tag = f"<at>{xml(mention.name)}</at>"
    entity = {"type": "mention", "text": tag,
              "mentioned": {"id": mention.user, "name": mention.name}}
    return {"text": f"{markdown(before)}{tag}{markdown(after)}", "text_format": "markdown",
            "entities": [entity]}


def slack_answer(text: str) -> dict[str, Any]:
    """An answer to a command or click (ephemeral, response_url or thread reply): rich
    text, so nothing in it is parsed; several lines go in a preformatted element, which
    keeps lists and history columns. The notification text is entity-escaped."""
    kind = "rich_text_preformatted" if "\n" in text else "rich_text_section"
    block = {"type": "rich_text", "elements": [{"type": kind, "elements": [_text(text)]}]}
    return {"text": slack(text), "blocks": [block]}


def teams_answer(text: str) -> str:
    """Markdown that shows `text` literally in a Teams message or invoke answer: each line
    escaped, and lines as paragraphs so lists and history keep one entry a line."""
    return "\n\n".join(markdown(line) for line in text.split("\n"))
