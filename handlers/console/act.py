"""A button or form on the console becomes the same Command Slack and Teams send.

The command runs through handlers.lifecycle.execute: the same policy, refusals, audit
and idempotency as chat. What chat's platforms check before a form reaches Tandem (a
required field left empty, an input longer than the form allows) is checked here, with
the labels of the form the page showed (cards.forms), in the same words Teams uses.
"""

import hashlib
from collections.abc import Mapping
from datetime import datetime

from handlers.commands import Command, Identity, Outcome, Result
from handlers.config.schema import TandemConfig
from handlers.enums import Verb
from handlers.lifecycle import execute
from storage.unit import Store

MAX_FIELD = 3000  # what the chat forms allow an input (cards/slack_modals, cards/teams_forms)
MAX_FIELDS = 10
MAX_KEY = 200  # an idempotency key the page made up, bounded before it is hashed


def _verb(action: Verb | str) -> Verb | None:
    try:
        return Verb(action)
    except ValueError:
        return None


def _args(fields: Mapping[str, str], required: Mapping[str, str]) -> dict[str, str] | str:
    """The filled-in fields as command arguments (empty ones left out, as Slack's
    submissions are), or why the form cannot be sent."""
    if len(fields) > MAX_FIELDS:
        return "That form has more fields than any Tandem form."
    args = {str(k)[:40]: str(v).strip() for k, v in fields.items() if str(v).strip()}
    missing = [label for key, label in required.items() if key not in args]
    if missing:
        return f"{missing[0]} is required."
    too_long = next((k for k, v in args.items() if len(v) > MAX_FIELD), None)
    if too_long:
        label = required.get(too_long, too_long.capitalize())
        return f"{label} is longer than {MAX_FIELD} characters."
    return args


def idempotency(who: Identity, key: str | None) -> str | None:
    """The page's key for one submission, made the console's and the person's own: it
    cannot replay (or block) a chat click or anyone else's submission."""
    if not key:
        return None
    mine = f"{who.describe()}\0{key[:MAX_KEY]}".encode()
    return f"web:{hashlib.sha256(mine).hexdigest()[:48]}"


async def act(db: Store, cfg: TandemConfig, who: Identity, short_id: str,
              action: Verb | str, fields: Mapping[str, str] | None = None,
              seen_version: int | None = None, idempotency_key: str | None = None, *,
              required: Mapping[str, str] | None = None,
              now: datetime | None = None) -> Result:
    """Run `action` (a verb, e.g. from cards.actions.command_verb of the button's id) on
    `short_id` for `who`. `fields` are the form's inputs by field key (the command's
    argument names), `required` the form's required fields' {key: label},
    `seen_version` the state_version the page showed (a stale page is refused with the
    alert as it is now, as a stale card is)."""
    verb = _verb(action)
    if verb is None:
        return Result(Outcome.INVALID, f"Tandem has no action {str(action)[:40]!r}.")
    args = _args(fields or {}, required or {})
    if isinstance(args, str):
        return Result(Outcome.INVALID, args)
    cmd = Command(verb, short_id.strip()[:64], who, args,
                  idempotency_key=idempotency(who, idempotency_key), seen_version=seen_version)
    return await execute(db, cfg, cmd, now)
