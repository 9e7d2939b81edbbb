"""The outbox dispatcher's Sender for Microsoft Teams, over the Bot Connector REST API.

Channel posts go to the conversation reference stored when Tandem was installed in the
team (learn.py); a 1:1 chat is created on first use and remembered. Failures come out
as RateLimited / Transient / Permanent (connector.mapped), and the dispatcher paces
and retries. The monthly report is a card with a signed download link Tandem serves
(bot/report_links.py says why not a file in SharePoint).
"""

from collections import OrderedDict
from datetime import UTC, datetime

from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount
from botbuilder.schema import ConversationParameters as Parameters
from botbuilder.schema import Mention as MentionEntity

from bot.outbox.pacing import Pacing
from bot.outbox.sender import Permanent, Recipient, ReportFile
from bot.report_links import ReportLinks
from bot.teams.channel_search import ChannelSearch
from bot.teams.connector import Connectors, mapped
from bot.teams.views import RefreshUsers
from cards.digest import render_teams as render_digest
from cards.digest import summary as digest_summary
from cards.messages import Mention, teams_message
from cards.report_card import render_teams as render_report
from cards.report_card import summary as report_summary
from cards.storm import headline as storm_headline
from cards.storm import render_teams as render_storm
from cards.teams import CARD_TYPE, render_alert
from handlers.views import AlertView, DigestView, StormView
from storage import teams as refs
from storage.db import Database
from storage.models import TeamsConversation

# Teams allows a bot 7 sends a second per conversation; edits count as sends.
TEAMS_PACING = Pacing(per_second=7.0, burst=7, pace_updates=True)
RECENT_POSTS = 1000


def card_activity(card: dict, summary: str, activity_id: str | None = None) -> Activity:
    attachment = Attachment(content_type=CARD_TYPE, content=card)
    return Activity(type=ActivityTypes.message, id=activity_id, summary=summary,
                    attachments=[attachment])


def text_activity(text: str, mention: Mention | None = None) -> Activity:
    """Plain text shown literally; a mention becomes `<at>Name</at>` and its entity."""
    fields = teams_message(text, mention)
    entities = [MentionEntity(mentioned=ChannelAccount(**e["mentioned"]), text=e["text"],
                              type=e["type"]) for e in fields.pop("entities") or ()]
    return Activity(type=ActivityTypes.message, entities=entities or None, **fields)


class TeamsSender:
    platform = "teams"

    def __init__(self, db: Database, connectors: Connectors, refresh: RefreshUsers,
                 search: ChannelSearch | None = None, links: ReportLinks | None = None):
        self._db, self._connectors, self._refresh = db, connectors, refresh
        self._search = search
        self.links = links  # signs the monthly report's download links; None: not set up
        # Posts this process made, answered without asking Graph; a card posted by an
        # earlier process is found in the channel through Graph (channel_search.py).
        self._recent: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def _reference(self, kind: str, key: str) -> TeamsConversation:
        async with self._db.read() as session:
            found = await refs.find(session, kind, key)
        if found is None:
            what = "channel" if kind == refs.CHANNEL else "person"
            raise Permanent(f"Teams {what} {key} is unknown to Tandem: install the Tandem app "
                            "in its team (or, for a person, have them message Tandem once)",
                            f"unknown_{what}")
        return found

    async def _card(self, view: AlertView) -> dict:
        """The channel card: every button, refreshed per viewer by Teams clients."""
        return render_alert(view, None, await self._refresh.get(view.tenant_id))

    async def post_card(self, channel: str, view: AlertView) -> str:
        ref = await self._reference(refs.CHANNEL, channel)
        activity = card_activity(await self._card(view), view.title)
        with mapped("post card"):
            sent = await self._connectors.client(ref.service_url).conversations \
                .send_to_conversation(channel, activity)
        self._remember(channel, view.short_id, sent.id)
        return sent.id

    async def update_card(self, channel: str, ref: str, view: AlertView) -> None:
        found = await self._reference(refs.CHANNEL, channel)
        activity = card_activity(await self._card(view), view.title, activity_id=ref)
        with mapped("update card"):
            await self._connectors.client(found.service_url).conversations \
                .update_activity(channel, ref, activity)

    async def post_storm(self, channel: str, view: StormView) -> str:
        ref = await self._reference(refs.CHANNEL, channel)
        activity = card_activity(render_storm(view), storm_headline(view))
        with mapped("post storm card"):
            sent = await self._connectors.client(ref.service_url).conversations \
                .send_to_conversation(channel, activity)
        return sent.id

    async def update_storm(self, channel: str, ref: str, view: StormView) -> None:
        found = await self._reference(refs.CHANNEL, channel)
        activity = card_activity(render_storm(view), storm_headline(view), activity_id=ref)
        with mapped("update storm card"):
            await self._connectors.client(found.service_url).conversations \
                .update_activity(channel, ref, activity)

    async def post_note(self, channel: str, ref: str, text: str) -> None:
        found = await self._reference(refs.CHANNEL, channel)
        with mapped("reply to card"):
            await self._connectors.client(found.service_url).conversations \
                .reply_to_activity(channel, ref, text_activity(text))

    async def post_text(self, channel: str, text: str, mention: Recipient | None = None,
                        at: int = 0) -> None:
        """`mention`, named at `text[at:]`, is mentioned by their Teams user id when they
        have messaged Tandem, else by their Entra object id; without either, named."""
        found = await self._reference(refs.CHANNEL, channel)
        tagged = await self._mention(mention, at) if mention is not None else None
        with mapped("post message"):
            await self._connectors.client(found.service_url).conversations \
                .send_to_conversation(channel, text_activity(text, tagged))

    async def _mention(self, who: Recipient, at: int) -> Mention:
        user_id, aad = None, who.identities.get(self.platform)
        if aad:
            async with self._db.read() as session:
                ref = await refs.find(session, refs.PERSON, aad)
            user_id = ref.user_id if ref is not None else None
        return Mention(at, at + len(who.name), who.name, user_id or aad)

    async def post_digest(self, channel: str, digest: DigestView) -> None:
        found = await self._reference(refs.CHANNEL, channel)
        activity = card_activity(render_digest(digest), digest_summary(digest))
        with mapped("post digest"):
            await self._connectors.client(found.service_url).conversations \
                .send_to_conversation(channel, activity)

    async def post_report(self, channel: str, report: ReportFile) -> None:
        if self.links is None:
            raise Permanent("report download links need TANDEM_PUBLIC_URL and "
                            "TANDEM_LINK_SECRET; set them, then `tandem outbox retry`",
                            "no_report_links")
        found = await self._reference(refs.CHANNEL, channel)
        url, expires = self.links.url(report.id, datetime.now(UTC))
        card = render_report(report.tenant_name, report.month, url, expires, report.timezone)
        activity = card_activity(card, report_summary(report.tenant_name, report.month))
        with mapped("post report"):
            await self._connectors.client(found.service_url).conversations \
                .send_to_conversation(channel, activity)

    async def find_report(self, channel: str, report: ReportFile, since: datetime) -> bool:
        """This bot's card opening the report's link, among the channel's messages since
        `since` that Graph lists (none to find without Graph or the team's group id)."""
        if self._search is None:
            return False
        found = await self._reference(refs.CHANNEL, channel)
        if not found.team_group_id:
            return False
        return await self._search.find_report(found.team_group_id, channel, report.id,
                                              since) is not None

    async def find_card(self, channel: str, alert_short_id: str,
                        since: datetime | None = None) -> str | None:
        """This process's own posts, else the channel's messages since `since`, read
        through Graph page by page however many there are (channel_search.py)."""
        recent = self._recent.get((channel, alert_short_id))
        if recent is not None or self._search is None:
            return recent
        found = await self._reference(refs.CHANNEL, channel)
        if not found.team_group_id:
            return None
        return await self._search.find_card(found.team_group_id, channel, alert_short_id, since)

    async def send_direct(self, person: Recipient, text: str) -> None:
        aad = person.identities.get(self.platform)
        if not aad:
            raise Permanent(f"{person.email} has no Teams identity in Tandem's configuration",
                            "unknown_person")
        ref = await self._reference(refs.PERSON, aad)
        chat = ref.conversation_id or await self._open_chat(ref)
        with mapped("direct message"):
            await self._connectors.client(ref.service_url).conversations \
                .send_to_conversation(chat, text_activity(text))

    async def _open_chat(self, ref: TeamsConversation) -> str:
        if not ref.user_id:
            raise Permanent(f"no Teams user id known for {ref.key}", "unknown_person")
        params = Parameters(is_group=False, bot=ChannelAccount(id=ref.bot_id),
                            members=[ChannelAccount(id=ref.user_id)], tenant_id=ref.aad_tenant_id,
                            channel_data={"tenant": {"id": ref.aad_tenant_id}})
        with mapped("create 1:1 chat"):
            created = await self._connectors.client(ref.service_url).conversations \
                .create_conversation(params)
        async with self._db.unit() as uow:
            session = await uow.session()
            await refs.save(session, refs.PERSON, ref.key, service_url=ref.service_url,
                            at=datetime.now(UTC), conversation_id=created.id)
        return created.id

    def _remember(self, channel: str, short_id: str, activity_id: str) -> None:
        self._recent[(channel, short_id)] = activity_id
        while len(self._recent) > RECENT_POSTS:
            self._recent.popitem(last=False)
