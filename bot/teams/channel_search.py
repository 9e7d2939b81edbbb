"""Finding a card Tandem already posted in a Teams channel, through Microsoft Graph.

The Bot Connector can post and edit but cannot read a channel, so after a crash
between posting a card and recording it the outbox would not know the card exists.
Graph can list a channel's recent messages (resource-specific consent
ChannelMessage.Read.Group, declared in the app manifest): a message sent by this bot
whose Adaptive Card refreshes the alert is that alert's card, and its id is the
activity id the connector returned. Without a team's group id or with Graph refusing
(no consent), there is nothing to search and the card is posted (best effort, logged).
"""

import json
import logging

from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.chat_message import ChatMessage
from msgraph.generated.teams.item.channels.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)

from bot.channels import Transient
from cards.teams import CARD_TYPE, refreshed_alert

log = logging.getLogger(__name__)
RECENT = 50  # Graph's page size for channel messages; a card is found among the newest
_UNSEARCHABLE = (401, 403, 404)  # no consent, or no such team/channel for Graph


class ChannelSearch:
    def __init__(self, graph: GraphServiceClient, app_id: str):
        self._graph, self._app_id = graph, app_id

    async def find_card(self, team_group_id: str, channel: str, short_id: str) -> str | None:
        """The id of this bot's card for `short_id` among the channel's newest messages.
        Raises Transient when Graph cannot answer now, so the post waits rather than
        risking a second card."""
        query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(top=RECENT)
        messages = self._graph.teams.by_team_id(team_group_id).channels.by_channel_id(channel)
        try:
            page = await messages.messages.get(RequestConfiguration(query_parameters=query))
        except APIError as error:
            if error.response_status_code in _UNSEARCHABLE:
                log.warning("Graph cannot list channel %s (HTTP %s): posting without a search",
                            channel, error.response_status_code)
                return None
            raise Transient(f"Graph channel messages: HTTP {error.response_status_code}") from None
        except Exception as error:  # network or parsing: try the lane again later
            raise Transient(f"Graph channel messages: {type(error).__name__}") from None
        return next((m.id for m in (page.value if page else None) or ()
                     if self._ours(m) and short_id in _alerts_of(m)), None)

    def _ours(self, message: ChatMessage) -> bool:
        sender = message.from_.application if message.from_ else None
        return sender is not None and sender.id == self._app_id


def _alerts_of(message: ChatMessage) -> set[str]:
    """Alert ids whose card this message holds."""
    found = set()
    for attachment in message.attachments or ():
        if attachment.content_type == CARD_TYPE and attachment.content:
            try:
                found.add(refreshed_alert(json.loads(attachment.content)))
            except ValueError:  # not JSON: not a card of ours
                continue
    return found - {None}
