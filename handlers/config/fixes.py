"""The remediation catalogue: each fix names an action kind Tandem carries out, and the
target it acts on, bound from the alert ("{labels.user}").

Every kind states what its entry must give: the target names it binds, and the
environment variables of its endpoint (a URL, a signing secret, a token). Those that
change who can sign in or which device can reach the network are destructive: an
internal approver decides them whatever the severity, and the approval gives a
reason, unless the entry says otherwise.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from handlers.config.base import Strict
from handlers.config.oncall import valid_duration


class Kind(StrEnum):
    GRAPH_REVOKE_SESSIONS = "graph.revoke_sessions"
    GRAPH_DISABLE_USER = "graph.disable_user"
    GRAPH_ENABLE_USER = "graph.enable_user"
    GRAPH_CONFIRM_COMPROMISED = "graph.confirm_compromised"
    GRAPH_DISMISS_RISK = "graph.dismiss_risk"
    DEFENDER_ISOLATE = "defender.isolate"
    DEFENDER_RELEASE = "defender.release"
    DEFENDER_SCAN = "defender.scan"
    WEBHOOK = "webhook"
    AWX_LAUNCH = "awx.launch"
    AZURE_AUTOMATION = "azure_automation.webhook"
    MANUAL = "manual"


@dataclass(frozen=True)
class KindRules:
    targets: tuple[str, ...] = ()  # names `target:` must bind
    envs: tuple[str, ...] = ()  # fields naming environment variables, all required
    destructive: bool = False
    app: bool = False  # runs with the tenant's Microsoft app registration (graph integration)


_USER = KindRules(targets=("user",), app=True)
_DEVICE = KindRules(targets=("device",), app=True)
RULES: dict[Kind, KindRules] = {
    Kind.GRAPH_REVOKE_SESSIONS: _USER,
    Kind.GRAPH_DISABLE_USER: KindRules(targets=("user",), destructive=True, app=True),
    Kind.GRAPH_ENABLE_USER: _USER,
    Kind.GRAPH_CONFIRM_COMPROMISED: KindRules(targets=("user",), destructive=True, app=True),
    Kind.GRAPH_DISMISS_RISK: _USER,
    Kind.DEFENDER_ISOLATE: KindRules(targets=("device",), destructive=True, app=True),
    Kind.DEFENDER_RELEASE: _DEVICE,
    Kind.DEFENDER_SCAN: _DEVICE,
    Kind.WEBHOOK: KindRules(envs=("url_env", "secret_env")),
    Kind.AWX_LAUNCH: KindRules(envs=("url_env", "token_env")),
    Kind.AZURE_AUTOMATION: KindRules(envs=("url_env",)),
    Kind.MANUAL: KindRules(),
}

# "{labels.user}", "{service}": what a binding may read from the alert.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FIELD = re.compile(r"^(labels\.[A-Za-z0-9_.\-]+|service|source|short_id|title)$")


def template_problems(text: str) -> list[str]:
    """Why a binding template cannot be read ("" when it can)."""
    return [f"{{{name}}} is not something an alert has (use labels.NAME, service, source, "
            "short_id or title)" for name in PLACEHOLDER.findall(text) if not _FIELD.match(name)]


class Fix(Strict):
    """One entry of the catalogue."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    action: Kind
    target: dict[str, str] = {}  # name -> template, e.g. user: "{labels.user}"
    url_env: str | None = None
    secret_env: str | None = None
    token_env: str | None = None
    job_template: int | None = Field(default=None, ge=1)  # awx.launch
    extra_vars: dict[str, str] = {}  # awx.launch, templates like target's
    isolation: Literal["full", "selective"] = "full"  # defender.isolate
    scan_type: Literal["quick", "full"] = "quick"  # defender.scan
    undo: str | None = None  # the id of the fix that reverses this one
    internal_approver: bool | None = None  # default: the kind is destructive
    requires_reason: bool | None = None  # default: the kind is destructive

    @property
    def rules(self) -> KindRules:
        return RULES[self.action]

    @property
    def needs_internal(self) -> bool:
        """An internal approver decides this fix whatever the alert's severity."""
        return self.rules.destructive if self.internal_approver is None else self.internal_approver

    @property
    def needs_reason(self) -> bool:
        return self.rules.destructive if self.requires_reason is None else self.requires_reason

    @model_validator(mode="after")
    def _complete(self) -> "Fix":
        rules = self.rules
        problems = [f"target.{name}: {self.action} needs a binding for {name!r} "
                    f"(e.g. {name}: \"{{labels.{name}}}\")"
                    for name in rules.targets if not self.target.get(name, "").strip()]
        problems += [f"{env}: is required for {self.action} (the environment variable that "
                     "holds it)" for env in rules.envs if not getattr(self, env)]
        if self.action is Kind.AWX_LAUNCH and self.job_template is None:
            problems.append("job_template: is required for awx.launch (the template's id)")
        bound = {**{f"target.{k}": v for k, v in self.target.items()},
                 **{f"extra_vars.{k}": v for k, v in self.extra_vars.items()}}
        problems += [f"{place}: {problem}" for place, text in bound.items()
                     for problem in template_problems(text)]
        if problems:
            raise ValueError("\n".join(problems))
        return self


class FixPolicy(Strict):
    """A tenant's say over its fixes: those it lets the partner approve (whatever the
    kind or the severity), and how long an approval stays good for: a fix not started
    by then (Tandem was down, say) is not carried out on stale grounds."""

    partner_may_approve: list[str] = []  # fix ids
    approval_valid: str = "1h"

    _durations = field_validator("approval_valid")(valid_duration)
