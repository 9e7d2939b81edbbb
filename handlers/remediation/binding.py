"""A fix's target, bound from the alert it is proposed for.

The catalogue writes targets as templates ("{labels.user}"); proposing a fix binds
them once, and the bound target is what the approver sees on the card and what the
execution acts on, whatever later repeats of the alert change in its labels.
"""

import re

from handlers.config.fixes import PLACEHOLDER, Fix
from handlers.views import AlertView
from storage.models import Alert

# What a binding reads: the stored alert when a fix is proposed, or its view when the
# console shows what each fix would act on before anyone proposes it.
Bindable = Alert | AlertView


class Unbound(ValueError):
    """The alert lacks something the fix needs; the message says what, to the proposer."""


def _value(alert: Bindable, name: str) -> str:
    if name.startswith("labels."):
        return str(alert.labels.get(name.removeprefix("labels."), "")).strip()
    return str(getattr(alert, name, "") or "").strip()


def fill(template: str, alert: Bindable, fix: Fix) -> str:
    """`template` with the alert's values in place; Unbound names the first missing one."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = _value(alert, name)
        if not value:
            what = (f"`{name.removeprefix('labels.')}` label" if name.startswith("labels.")
                    else f"`{name}`")
            raise Unbound(f"{alert.short_id} has no {what}; {fix.title} needs one.")
        return value
    return PLACEHOLDER.sub(one, template)


def bind(fix: Fix, alert: Bindable) -> dict[str, str]:
    """The fix's target for this alert, e.g. {"user": "jo@acme.example"}."""
    return {name: fill(template, alert, fix) for name, template in fix.target.items()}


def extra_vars(fix: Fix, alert: Bindable) -> dict[str, str]:
    return {name: fill(template, alert, fix) for name, template in fix.extra_vars.items()}


def described(title: str, target: dict[str, str]) -> str:
    """How a card names the fix: "Revoke all sign-in sessions of jo@acme.example"."""
    if "user" in target:
        return f"{title} of {target['user']}"
    if "device" in target:
        return f"{title} ({target['device']})"
    return title
