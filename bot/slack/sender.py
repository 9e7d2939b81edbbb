"""The outbox's Sender for Slack, over slack_sdk's AsyncWebClient.

Each card is posted with message metadata carrying the alert's short id, so that
after a crash the dispatcher can find a card whose reference was never stored
(find_card reads conversations.history with include_all_metadata, from the time the
post was marked in flight, page after page until the history is exhausted).
Errors map onto the dispatcher's contract: HTTP 429 -> RateLimited(Retry-After),
5xx and network errors -> Transient, refusals such as channel_not_found -> Permanent.

The monthly report goes up through Slack's external upload flow: files.getUploadURLExternal
(name, length) -> POST of the bytes to its upload URL (upload.py) ->
files.completeUploadExternal (file id and title, channel, comment). A failed step starts
the flow again on retry: a file never completed is never shared (Slack discards it).
find_report looks for an earlier share of the report's file name in the channel's history.
"""

from collections.abc import AsyncIterator, Awaitable
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.outbox.sender import Permanent, RateLimited, Recipient, ReportFile, Transient
from bot.slack.upload import upload_bytes
from cards.digest import render_slack as render_digest
from cards.messages import Mention, slack_message
from cards.report_card import filename, slack_comment, title
from cards.slack import render_alert
from cards.storm import render_slack as render_storm
from handlers.config import SlackAccount
from handlers.views import AlertView, DigestView, StormView

EVENT_TYPE = "tandem_alert"
HISTORY_PAGE = 200  # Slack's advice for a page of conversations.history
# Read this much further back than the in-flight mark: Slack stamps a message with its
# own clock, which may run behind ours.
CLOCK_SKEW = timedelta(seconds=120)
TRANSIENT_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable",
                              "request_timeout", "ratelimited"})


def card_metadata(view: AlertView) -> dict:
    return {"event_type": EVENT_TYPE,
            "event_payload": {"alert": view.short_id, "version": view.version}}


def _card_of(message: dict) -> str | None:
    """The short id of the alert whose card `message` is, if it is one of ours."""
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("alert")


def _user(who: Recipient) -> str | None:
    """`who`'s Slack user id, when their Slack account is configured."""
    key = who.identities.get(SlackSender.platform)
    return SlackAccount.user_in(key) if key else None


def _retry_after(response: AsyncSlackResponse) -> float:
    try:
        return max(float(response.headers.get("Retry-After", "1")), 0.0)
    except (TypeError, ValueError):
        return 1.0


async def call(method: str, request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    """Await one Web API call, turning its failure into the outbox's error types."""
    try:
        return await request
    except SlackApiError as error:
        response = error.response
        status = response.status_code
        code = response.data.get("error") if isinstance(response.data, dict) else None
        if status == 429:
            raise RateLimited(_retry_after(response)) from None
        if status >= 500 or code in TRANSIENT_ERRORS:
            raise Transient(f"{method}: HTTP {status} {code or ''}".rstrip(),
                            str(code) if code else f"http_{status}") from None
        raise Permanent(f"{method}: {code or f'HTTP {status}'}",
                        str(code) if code else f"http_{status}") from None
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise Transient(f"{method}: {type(error).__name__}: {error}",
                        type(error).__name__) from None
    except SlackClientError as error:
        raise Permanent(f"{method}: {error}", "client_error") from None


class SlackSender:
    platform = "slack"

    def __init__(self, client: AsyncWebClient):
        self.client = client

    async def post_card(self, channel: str, view: AlertView) -> str:
        message = render_alert(view)
        done = await call("chat.postMessage", self.client.chat_postMessage(
            channel=channel, text=message["text"], blocks=message["blocks"],
            metadata=card_metadata(view), unfurl_links=False, unfurl_media=False))
        return str(done["ts"])

    async def update_card(self, channel: str, ref: str, view: AlertView) -> None:
        message = render_alert(view)
        await call("chat.update", self.client.chat_update(
            channel=channel, ts=ref, text=message["text"], blocks=message["blocks"],
            metadata=card_metadata(view)))

    async def post_storm(self, channel: str, view: StormView) -> str:
        message = render_storm(view)
        done = await call("chat.postMessage", self.client.chat_postMessage(
            channel=channel, text=message["text"], blocks=message["blocks"],
            unfurl_links=False, unfurl_media=False))
        return str(done["ts"])

    async def update_storm(self, channel: str, ref: str, view: StormView) -> None:
        message = render_storm(view)
        await call("chat.update", self.client.chat_update(
            channel=channel, ts=ref, text=message["text"], blocks=message["blocks"]))

    async def post_note(self, channel: str, ref: str, text: str) -> None:
        await call("chat.postMessage", self.client.chat_postMessage(
            channel=channel, thread_ts=ref, **slack_message(text)))

    async def find_card(self, channel: str, alert_short_id: str,
                        since: datetime | None) -> str | None:
        async for message in self._history(channel, since):
            if _card_of(message) == alert_short_id:
                return str(message["ts"])
        return None

    async def _history(self, channel: str, since: datetime | None) -> AsyncIterator[dict]:
        """Every top-level message since `since` (less CLOCK_SKEW; all history when it
        is unknown), however many: a busy channel cannot hide what is looked for."""
        oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}" if since else None
        cursor = None
        while True:
            page = await call("conversations.history", self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_PAGE, oldest=oldest,
                cursor=cursor))
            for message in page.get("messages") or []:
                yield message
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return

    async def find_report(self, channel: str, report: ReportFile, since: datetime) -> bool:
        name = filename(report.tenant_id, report.month)
        async for message in self._history(channel, since):
            files = message.get("files") or []
            if any(isinstance(f, dict) and f.get("name") == name for f in files):
                return True
        return False

    async def send_direct(self, person: Recipient, text: str) -> None:
        """`text` is plain text (it quotes alert titles from sources), shown literally, so
        an alert titled `<!channel>` cannot ping anyone (cards/messages.py)."""
        user = _user(person) or await self._user_by_email(person.email)
        opened = await call("conversations.open", self.client.conversations_open(users=user))
        await call("chat.postMessage", self.client.chat_postMessage(
            channel=opened["channel"]["id"], **slack_message(text)))

    async def post_text(self, channel: str, text: str, mention: Recipient | None = None,
                        at: int = 0) -> None:
        """`text` is plain text (e.g. an escalation ping quoting an alert title), shown
        literally; `mention`, named at `text[at:]`, is mentioned by their Slack user id."""
        tagged = None
        if mention is not None:
            tagged = Mention(at, at + len(mention.name), mention.name, _user(mention))
        await call("chat.postMessage", self.client.chat_postMessage(
            channel=channel, **slack_message(text, tagged)))

    async def post_digest(self, channel: str, digest: DigestView) -> None:
        message = render_digest(digest)
        await call("chat.postMessage", self.client.chat_postMessage(
            channel=channel, text=message["text"], blocks=message["blocks"],
            unfurl_links=False, unfurl_media=False))

    async def post_report(self, channel: str, report: ReportFile) -> None:
        pdf = await report.read()
        got = await call("files.getUploadURLExternal", self.client.files_getUploadURLExternal(
            filename=filename(report.tenant_id, report.month), length=len(pdf)))
        await upload_bytes(self.client, str(got["upload_url"]), pdf)
        await call("files.completeUploadExternal", self.client.files_completeUploadExternal(
            files=[{"id": str(got["file_id"]), "title": title(report.month)}],
            channel_id=channel, initial_comment=slack_comment(report.tenant_name, report.month)))

    async def _user_by_email(self, email: str) -> str:
        found = await call("users.lookupByEmail", self.client.users_lookupByEmail(email=email))
        return str(found["user"]["id"])
