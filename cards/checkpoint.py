"""The daily audit checkpoint as a chat message, the same plain text in Slack and Teams.

Plain text, not mrkdwn or an Adaptive Card: its last line must come out of a copy from
chat byte for byte (handlers/evidence/checkpoint_line.py parses it back), and plain
text is the one form both platforms show and copy literally. Each sender's `post_text`
escapes it for its surface (Slack: a rich-text element and an entity-escaped
notification text; Teams: a plain-text activity), so a tenant named `<!channel>` or
`*bold*` is shown as written; the name is also kept to one line, so it cannot add
lines of its own to the message.
"""

from cards.format import format_time
from handlers.evidence.checkpoint_line import CheckpointPost


def title(post: CheckpointPost) -> str:
    name = " ".join(post.tenant_name.split())
    return f"🔏 Audit checkpoint · {name}"


def render_text(post: CheckpointPost) -> str:
    cp = post.checkpoint
    return "\n".join([
        title(post),
        f"Tandem signed the head of this tenant's audit log: event #{cp.seq} at "
        f"{format_time(cp.at, post.timezone)}. Keep this message: \"tandem audit verify "
        "--checkpoints FILE\" checks the log against the checkpoint lines pasted into FILE.",
        cp.line,
    ])
