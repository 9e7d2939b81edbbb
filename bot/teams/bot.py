"""The Teams bot: which activity goes where. Kept thin; the work is in the modules it calls."""

from botbuilder.core import ActivityHandler, BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.teams import invoke
from bot.teams.commands import answer
from bot.teams.context import TeamsContext
from bot.teams.identity import identify
from bot.teams.learn import remember, remember_channels

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"


class TandemTeamsBot(ActivityHandler):
    def __init__(self, tc: TeamsContext):
        self._tc = tc

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        await remember(self._tc, turn_context.activity)
        await remember_channels(self._tc, turn_context.activity)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.conversation is None:
            return  # nowhere to answer
        who = await identify(self._tc.cfg, self._tc.directory, activity.from_property)
        await remember(self._tc, activity, email=who.email)
        await answer(self._tc, turn_context, who)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != ADAPTIVE_CARD_ACTION:
            return InvokeResponse(status=501)
        body = await invoke.handle(self._tc, turn_context.activity)
        response = InvokeResponse(status=body["statusCode"], body=body)
        # Handed to the adapter directly: ActivityHandler would send it as an activity,
        # and sending deep-copies the whole card once more on every click.
        turn_context.turn_state[BotAdapter._INVOKE_RESPONSE_KEY] = Activity(
            type=ActivityTypes.invoke_response, value=response)
        return response
