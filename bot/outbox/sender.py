"""The contract between the outbox dispatcher and each chat platform's sender.

A sender speaks one platform's wire protocol; the dispatcher (bot/outbox/dispatcher.py) owns
ordering, coalescing, pacing and retries, and never knows which platform it drives.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from handlers.views import AlertView, DigestView, StormView


@dataclass(frozen=True)
class Recipient:
    """A person to message directly, with the chat accounts known for them: {platform:
    key}, each key as that platform's adapter identifies the person (handlers.commands)."""

    email: str
    name: str
    identities: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportFile:
    """A stored monthly report to post (bot/outbox/reports.py); `read` fetches its bytes,
    which only an upload needs."""

    id: str
    tenant_id: str
    tenant_name: str
    timezone: str
    month: str  # "2026-11"
    size: int
    read: Callable[[], Awaitable[bytes]]


def mention_in(payload: dict, text: str, who: Recipient | None) -> tuple[Recipient | None, int]:
    """Who a "text" row mentions (payload {"mention": {"email", "at"}}) and where their name
    starts; nobody when the text no longer names them there."""
    at = (payload.get("mention") or {}).get("at")
    if who is None or type(at) is not int or text[at:at + len(who.name)] != who.name:
        return None, 0
    return who, at


class RateLimited(Exception):
    """The platform asked us to wait (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        super().__init__(f"rate limited; retry after {retry_after:.1f}s")


class Transient(Exception):
    """A failure worth retrying with backoff (5xx, 412, network errors, timeouts). `code`
    is a metric label like Permanent's (e.g. "http_503", "ClientConnectorError")."""

    def __init__(self, message: str, code: str = "transient"):
        super().__init__(message)
        self.code = code


class Permanent(Exception):
    """A failure no retry will fix (channel not found, bot removed); the row is kept as
    failed until an operator re-queues it. `code` is the platform's short error name
    (e.g. "channel_not_found", "http_403"), a metric label: keep it to a small set."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


class Sender(Protocol):
    platform: str  # "slack" | "teams"

    async def post_card(self, channel: str, view: AlertView) -> str:
        """Post a new alert card; returns the message reference to store."""

    async def update_card(self, channel: str, ref: str, view: AlertView) -> None:
        """Replace the card at `ref` with the current state."""

    async def post_storm(self, channel: str, view: StormView) -> str:
        """Post a new storm card (cards/storm.py); returns the message reference to store."""

    async def update_storm(self, channel: str, ref: str, view: StormView) -> None:
        """Replace the storm card at `ref` with the storm's current state."""

    async def post_note(self, channel: str, ref: str, text: str) -> None:
        """Add a one-line note under the card (Slack thread reply / Teams reply)."""

    async def find_card(self, channel: str, alert_short_id: str,
                        since: datetime | None) -> str | None:
        """Look for a card posted before a crash left its reference unrecorded. `since`
        is when the post was marked in flight (the card cannot be older; None: unknown)."""

    async def send_direct(self, person: Recipient, text: str) -> None:
        """Message one person privately (Slack DM, Teams 1:1 chat)."""

    async def post_text(self, channel: str, text: str, mention: Recipient | None = None,
                        at: int = 0) -> None:
        """Post a plain channel message that is not an alert card (e.g. an escalation ping);
        `mention`'s name at `text[at:]` becomes a real mention of them."""

    async def post_digest(self, channel: str, digest: DigestView) -> None:
        """Post the daily digest (rendered by cards/digest.py) as a new channel message."""

    async def post_report(self, channel: str, report: ReportFile) -> None:
        """Post the monthly report into the channel (Slack: the PDF itself, through the
        external upload flow; Teams: a card with a signed download link)."""

    async def find_report(self, channel: str, report: ReportFile, since: datetime) -> bool:
        """Whether the report was posted into the channel since `since` (when its row was
        queued), by an attempt whose answer was lost or whose replica died after it."""
