"""Interaction, slash-command and event bodies shaped like the ones Slack sends."""

import itertools
import json
from urllib.parse import urlencode

from cards import actions as A

_seq = itertools.count(1)

# (team the click comes through, the clicker's own team, user id)
SAM = ("T0ACME", "T0ACME", "U0SAM")
LEE = ("T0ACME", "T0ACME", "U0LEE")
DANA = ("T0ACME", "T0PARTNER", "U0DANA")  # Slack Connect: a partner's own workspace
RAJ = ("T0ACME", "T0PARTNER", "U0RAJ")


def action_ts() -> str:
    return f"1790000000.{next(_seq):06d}"


def block_action(who: tuple[str, str, str], short_id: str, version: int, action: str, *,
                 channel: str = "C0OPS", message_ts: str = "1800000001.000001",
                 response_url: str = "", overflow: bool = False) -> dict:
    team, user_team, user = who
    value = A.ButtonPayload(short_id, version, action).encode()
    if overflow:
        act = {"type": "overflow", "action_id": A.OVERFLOW, "block_id": "alert.actions",
               "selected_option": {"text": {"type": "plain_text", "text": action},
                                   "value": value}, "action_ts": action_ts()}
    else:
        act = {"type": "button", "action_id": action, "block_id": "alert.actions",
               "text": {"type": "plain_text", "text": action}, "value": value,
               "action_ts": action_ts()}
    return {
        "type": "block_actions", "api_app_id": "A0TANDEM", "token": "legacy-unused",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(),
                 "team_id": user_team},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                      "is_ephemeral": False},
        "trigger_id": f"trigger.{next(_seq)}", "channel": {"id": channel, "name": "ops"},
        "message": {"type": "message", "ts": message_ts, "text": "card"},
        "response_url": response_url, "actions": [act],
    }


def view_submission(who: tuple[str, str, str], modal: dict, values: dict[str, str]) -> dict:
    """Submit `modal` (as opened through views.open) with {field key: value}."""
    team, user_team, user = who
    state = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        key = block["block_id"]
        kind = block["element"]["type"]
        value = values.get(key)
        if kind in ("static_select", "radio_buttons"):
            entry = {"type": kind, "selected_option": (
                {"text": {"type": "plain_text", "text": value}, "value": value}
                if value else None)}
        else:
            entry = {"type": kind, "value": value}
        state[key] = {key: entry}
    return {
        "type": "view_submission", "api_app_id": "A0TANDEM", "token": "legacy-unused",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": user_team},
        "trigger_id": f"trigger.{next(_seq)}",
        "view": {**modal, "id": f"V{next(_seq):08d}", "hash": "h", "team_id": team,
                 "state": {"values": state}},
    }


def form(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


def slash(who: tuple[str, str, str], text: str, response_url: str,
          channel: str = "C0OPS") -> str:
    team, _, user = who
    return urlencode({
        "token": "legacy-unused", "team_id": team, "team_domain": "acme",
        "channel_id": channel, "channel_name": "ops", "user_id": user,
        "user_name": user.lower(), "command": "/tandem", "text": text,
        "api_app_id": "A0TANDEM", "response_url": response_url,
        "trigger_id": f"trigger.{next(_seq)}",
    })


def event(inner: dict, team: str = "T0ACME") -> str:
    return json.dumps({
        "token": "legacy-unused", "team_id": team, "api_app_id": "A0TANDEM",
        "event": inner, "type": "event_callback", "event_id": f"Ev{next(_seq):08d}",
        "event_time": 1790000000, "authorizations": [
            {"team_id": team, "user_id": "U0BOT", "is_bot": True}],
    })
