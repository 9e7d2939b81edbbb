"""Action.Execute (the adaptiveCard/action invoke): a card button click, answered with the
card the clicker should now see.

The payload only points at an alert and a version; who may do what is decided by
handlers.lifecycle.dispatch.execute on fresh state. Whatever the invoke response
carries is shown to the clicker alone, so refusals travel there, on top of the current
card.
"""

from botbuilder.schema import Activity

from bot.teams.context import TeamsContext
from bot.teams.identity import identify
from bot.teams.learn import channel_of
from bot.teams.views import notice_card, render_for, with_notice
from cards import actions as A
from cards.messages import teams_answer
from cards.teams_forms import is_form_submission, parse_submission, render_form
from cards.text import render_history
from handlers import lifecycle, reads, storms
from handlers.commands import Command, Identity, Outcome
from handlers.views import AlertView
from storage.types import utcnow

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
ERROR = "application/vnd.microsoft.error"


class BadInvoke(ValueError):
    """The invoke is not a well-formed Tandem Action.Execute; answered with 400."""


def card_response(card: dict) -> dict:
    return {"statusCode": 200, "type": CARD, "value": card}


def message_response(text: str) -> dict:
    """A message for the clicker alone; it quotes titles, notes and reasons, escaped."""
    return {"statusCode": 200, "type": MESSAGE, "value": teams_answer(text)}


def error_response(message: str, status: int = 400) -> dict:
    return {"statusCode": status, "type": ERROR, "value": {"code": "BadRequest",
                                                          "message": message}}


def parse_action(value: object) -> tuple[A.ButtonPayload, dict]:
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        raise BadInvoke("invoke value.action must be an Action.Execute")
    data = action.get("data")
    if not isinstance(data, dict):
        raise BadInvoke("Action.Execute data must be an object")
    try:
        payload = A.ButtonPayload.decode(data.get("payload"))
    except ValueError as error:
        raise BadInvoke(str(error)) from None
    if action.get("verb") != payload.action:
        raise BadInvoke(f"verb {action.get('verb')!r} does not match the button payload")
    return payload, data


async def handle(tc: TeamsContext, activity: Activity) -> dict:
    """The invoke response body for one Action.Execute."""
    try:
        payload, data = parse_action(activity.value)
    except BadInvoke as error:
        return error_response(str(error))
    who = await identify(tc.cfg, tc.directory, activity.from_property)
    if payload.action == A.REFRESH:
        return await _current(tc, payload.alert_id, who)
    if payload.action == A.HISTORY:
        return await _history(tc, payload.alert_id, who)
    if payload.action == A.OPEN:
        return await _open(tc, activity, who, payload.alert_id)
    if payload.action in A.FORM_ACTIONS and not is_form_submission(data):
        form = await _form(tc, payload.action, payload.alert_id, who)
        if form is not None:
            return form
    return await _run(tc, activity, who, payload, data)


async def _open(tc: TeamsContext, activity: Activity, who: Identity, short_id: str) -> dict:
    """A storm card's Open: the alert's own card is posted in the channel (outbox)."""
    conversation = activity.conversation.id if activity.conversation else None
    if not conversation:
        return message_response("Open works from a storm card in a channel.")
    said = await storms.open_alone(tc.db, tc.cfg, who, short_id, "teams",
                                   channel_of(conversation), utcnow())
    return message_response(said)


async def _view(tc: TeamsContext, short_id: str, who: Identity) -> AlertView | str:
    """The alert as `who` may see it, or the sentence why not (audited by reads)."""
    return await reads.show_alert(tc.db, tc.cfg, who, short_id)


def _unavailable(message: str) -> dict:
    """A neutral card in place of one the clicker may not see (it replaces theirs)."""
    return card_response(notice_card(message))


async def _card(tc: TeamsContext, view: AlertView, who: Identity,
                notice: str | None = None) -> dict:
    card = render_for(tc.cfg, view, await tc.refresh.get(view.tenant_id), who)
    return card_response(with_notice(card, notice) if notice else card)


async def _current(tc: TeamsContext, short_id: str, who: Identity) -> dict:
    view = await _view(tc, short_id, who)
    if isinstance(view, str):
        return _unavailable(view)
    return await _card(tc, view, who)


async def _history(tc: TeamsContext, short_id: str, who: Identity) -> dict:
    found = await reads.alert_history(tc.db, tc.cfg, who, short_id)
    if isinstance(found, str):
        return message_response(found)
    view, entries = found
    return message_response(render_history(view.short_id, entries, view.timezone))


async def _form(tc: TeamsContext, action: str, short_id: str, who: Identity,
                notice: str | None = None) -> dict | None:
    """The form the button opens on this alert; None where it asks for nothing (Approve,
    for a fix approved without a reason): the click is the command."""
    view = await _view(tc, short_id, who)
    if isinstance(view, str):
        return _unavailable(view)
    if not A.opens_form(action, view):
        return None
    catalogue = [(r.id, r.title) for r in tc.cfg.remediations]
    form = render_form(view, action, catalogue)
    return card_response(with_notice(form, notice) if notice else form)


async def _run(tc: TeamsContext, activity: Activity, who: Identity, payload: A.ButtonPayload,
               data: dict) -> dict:
    submitted = is_form_submission(data)
    cmd = Command(
        verb=A.command_verb(payload.action), alert=payload.alert_id, actor=who,
        args=parse_submission(data) if submitted else {},
        idempotency_key=f"teams:{activity.id}" if activity.id else None,
        seen_version=payload.version,
    )
    result = await lifecycle.execute(tc.db, tc.cfg, cmd)
    tc.metrics.decided(cmd, result)
    if result.outcome is Outcome.INVALID and submitted:
        form = await _form(tc, payload.action, payload.alert_id, who, notice=result.message)
        if form is not None:
            return form
    if result.view is None or "storm" in data:  # the clicker keeps the storm card
        return message_response(result.message)
    return await _card(tc, result.view, who, None if result.ok else result.message)
