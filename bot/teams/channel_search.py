"""Finding a card Tandem already posted in a Teams channel, through Microsoft Graph: an
alert's card, or the monthly report's.

The Bot Connector can post and edit but cannot read a channel, so after a crash
between posting a card and recording it the outbox would not know the card exists.
Graph can list a channel's messages (resource-specific consent
ChannelMessage.Read.Group, declared in the app manifest): a message sent by this bot
whose Adaptive Card refreshes the alert is that alert's card, and its id is the
activity id the connector returned. Without a team's group id or with Graph refusing
(no consent), there is nothing to search and the card is posted (best effort, logged).

Graph lists a channel's top-level messages newest first (by lastModifiedDateTime),
at most 50 a page, with `@odata.nextLink` to the next page; it cannot filter them by
time. So pages are read until one reaches back past the time the post was marked in
flight (less CLOCK_SKEW): the card cannot be older than that, and a message's last
change is never older than its creation, so nothing later can be the card. However
many messages were posted since, they are all read.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.chat_message import ChatMessage
from msgraph.generated.models.chat_message_collection_response import (
    ChatMessageCollectionResponse,
)
from msgraph.generated.teams.item.channels.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from bot.outbox.sender import Permanent, Transient
from cards.teams import CARD_TYPE, refreshed_alert

log = logging.getLogger(__name__)
PAGE = 50  # Graph's largest page of channel messages
MAX_PAGES = 200  # 10,000 messages since the in-flight mark: see ChannelSearch.find_card
# Read this much further back than the in-flight mark: Teams stamps a message with its
# own clock, which may run behind ours.
CLOCK_SKEW = timedelta(seconds=120)
_UNSEARCHABLE = (401, 403, 404)  # no consent, or no such team/channel for Graph


class ChannelSearch:
    def __init__(self, graph: GraphServiceClient, app_id: str):
        self._graph, self._app_id = graph, app_id

    async def find_card(self, team_group_id: str, channel: str, short_id: str,
                        since: datetime | None) -> str | None:
        """The id of this bot's card for `short_id` among the channel's messages since
        `since` (all of them when it is unknown), or None when it is not there.

        Raises Transient when Graph cannot answer now, so the post waits rather than
        risking a second card. After MAX_PAGES pages without reaching `since` it logs a
        WARNING and raises Permanent: the card stays in doubt and is NOT posted (the
        lane is kept as failed, listed by `tandem outbox list --failed`). A missing
        card is visible and an operator can act on it; a duplicate cannot be taken
        back, and searching again and again would only spend Graph's quota.
        """
        return await self._find(team_group_id, channel, f"the card of {short_id}",
                                lambda m: short_id in _alerts_of(m), since)

    async def find_report(self, team_group_id: str, channel: str, report_id: str,
                          since: datetime) -> str | None:
        """The id of this bot's card linking to report `report_id` among the channel's
        messages since `since`, as find_card looks for an alert's."""
        return await self._find(team_group_id, channel, f"the card of report {report_id}",
                                lambda m: _links_to(report_id, m), since)

    async def _find(self, team_group_id: str, channel: str, what: str,
                    matches: Callable[[ChatMessage], bool], since: datetime | None) -> str | None:
        bound = since - CLOCK_SKEW if since is not None else None
        messages = self._graph.teams.by_team_id(team_group_id).channels \
            .by_channel_id(channel).messages
        link = None
        for _ in range(MAX_PAGES):
            page = await _read(_request(messages, link), channel)
            if page is None:
                return None
            found = page.value or []
            card = next((m.id for m in found if self._ours(m) and matches(m)), None)
            link = page.odata_next_link
            if card is not None or not link or _reaches(found, bound):
                return card
        log.warning("Graph: %d pages of channel %s did not reach back to %s; %s may have "
                    "been posted already, so it is not posted again", MAX_PAGES, channel,
                    since, what)
        raise Permanent(f"{what} in doubt: more than {MAX_PAGES * PAGE} messages in "
                        f"{channel} since {since}; check the channel", "card_in_doubt")

    def _ours(self, message: ChatMessage) -> bool:
        sender = message.from_.application if message.from_ else None
        return sender is not None and sender.id == self._app_id


def _request(messages: MessagesRequestBuilder, link: str | None):
    """The first page (the newest PAGE messages), or the one Graph linked to."""
    if link is None:
        query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=PAGE)
        return messages.get(RequestConfiguration(query_parameters=query))
    return messages.with_url(link).get()


async def _read(request, channel: str) -> ChatMessageCollectionResponse | None:
    """One page; None when Graph will never list this channel for us."""
    try:
        return await request
    except APIError as error:
        if error.response_status_code in _UNSEARCHABLE:
            log.warning("Graph cannot list channel %s (HTTP %s): posting without a search",
                        channel, error.response_status_code)
            return None
        raise Transient(f"Graph channel messages: HTTP {error.response_status_code}",
                        f"http_{error.response_status_code}") from None
    except Exception as error:  # network or parsing: try the lane again later
        raise Transient(f"Graph channel messages: {type(error).__name__}",
                        type(error).__name__) from None


def _reaches(messages: list[ChatMessage], bound: datetime | None) -> bool:
    """Whether this page goes back past `bound`, so later pages are older still."""
    if bound is None:
        return False
    times = (m.last_modified_date_time or m.created_date_time for m in messages)
    return any(t is not None and t < bound for t in times)


def _cards_of(message: ChatMessage) -> list[dict]:
    """The Adaptive Cards the message holds, parsed."""
    cards = []
    for attachment in message.attachments or ():
        if attachment.content_type == CARD_TYPE and attachment.content:
            try:
                card = json.loads(attachment.content)
            except ValueError:  # not JSON: not a card of ours
                continue
            if isinstance(card, dict):
                cards.append(card)
    return cards


def _alerts_of(message: ChatMessage) -> set[str]:
    """Alert ids whose card this message holds."""
    return {alert for card in _cards_of(message)
            if (alert := refreshed_alert(card)) is not None}


def _links_to(report_id: str, message: ChatMessage) -> bool:
    """Whether one of the message's cards opens report `report_id`'s download link."""
    path = f"/reports/{report_id}"
    return any(urlsplit(str(action.get("url", ""))).path.endswith(path)
               for card in _cards_of(message) for action in card.get("actions") or ()
               if isinstance(action, dict))
