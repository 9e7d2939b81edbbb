"""Buttons that need input first: open the modal (views.open), then run its submission.

The modal is cards.slack_modals' rendering; its private_metadata is wrapped to
carry the clicked button's payload (so the submission is checked against the
version the person saw) and the channel, for answering them there.
"""

import json
import logging

from bot.slack.deps import SlackDeps
from bot.slack.people import Clicker, SlackUser, user_of
from bot.slack.replies import carry_out, ephemeral
from bot.slack.sender import call
from cards import actions as A
from cards.forms import form_keys
from cards.slack_modals import parse_submission, render_modal
from handlers import reads
from handlers.commands import Command

log = logging.getLogger("tandem.slack")


async def open_form(deps: SlackDeps, body: dict, button: A.ButtonPayload, clicker: Clicker,
                    channel: str | None, user: str) -> bool:
    """Open the button's modal, or answer why not; False when on this alert the button
    asks for nothing (Approve, for a fix approved without a reason): it is a click."""
    view = await reads.show_alert(deps.db, deps.cfg, clicker.identity, button.alert_id)
    if isinstance(view, str):
        await ephemeral(deps.client, channel, user, view)
        return True
    if not A.opens_form(button.action, view):
        return False
    catalogue = [(r.id, r.title) for r in deps.cfg.remediations]
    if button.action == A.PROPOSE and not catalogue:
        await ephemeral(deps.client, channel, user,
                        "No remediations are configured, so there is no fix to propose.")
        return True
    modal = render_modal(view, button.action, catalogue)
    modal["private_metadata"] = json.dumps({"button": button.encode(), "channel": channel})
    await call("views.open", deps.client.views_open(trigger_id=body.get("trigger_id"),
                                                    view=modal))
    return True


def _metadata(view: dict) -> tuple[A.ButtonPayload, str | None]:
    meta = json.loads(view.get("private_metadata") or "")
    return A.ButtonPayload.decode(meta["button"]), meta.get("channel")


async def on_submit(body: dict, deps: SlackDeps) -> None:
    sender = user_of(body)
    view = body.get("view") or {}
    try:
        button, channel = _metadata(view)
    except (ValueError, KeyError, TypeError):
        log.warning("slack: a modal submission without readable metadata was ignored")
        return
    try:
        await _run(deps, view, button, channel, sender)
    except Exception:
        log.exception("slack: a modal submission failed")
        await ephemeral(deps.client, channel, sender.user,
                        "Tandem could not do that just now; please try again.")


async def _run(deps: SlackDeps, view: dict, button: A.ButtonPayload, channel: str | None,
               sender: SlackUser) -> None:
    values = parse_submission((view.get("state") or {}).get("values") or {})
    # Form field keys are the command's argument names (remediation, note, reason, mode,
    # duration, classification); empty optional fields are left out.
    args = {key: values[key].strip() for key in form_keys(button.action)
            if values.get(key, "").strip()}
    clicker = await deps.people.identify(sender)
    key = f"slack:view:{view.get('id')}:{sender.team}:{sender.user}"
    cmd = Command(A.command_verb(button.action), button.alert_id, clicker.identity, args,
                  idempotency_key=key, seen_version=button.version)
    await carry_out(deps, cmd, channel, sender.user)
