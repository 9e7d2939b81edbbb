"""The configuration schema: tenants, people, channels, remediations, approval policy.

Pure pydantic, no file or environment access (bot/config.py loads the YAML).
Secrets are never inline: integrations name the environment variable that holds them.
"""

from collections.abc import Mapping
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from handlers.config.accounts import PLATFORMS, ChatAccounts, Platform
from handlers.config.base import Strict
from handlers.config.fixes import Fix, FixPolicy
from handlers.config.hours import BusinessHours
from handlers.config.oncall import (
    ON_CALL,
    AckSla,
    ApprovalReminders,
    Digest,
    EscalationPolicy,
    Layer,
    SnoozeLimits,
    valid_duration,
)
from handlers.enums import Role, Severity, Side
from handlers.timing.parse import parse_duration
from handlers.timing.zones import known_zone


class Channel(Strict):
    platform: Platform  # the platforms people have accounts on (config.accounts)
    channel: str = Field(min_length=1)
    team: str | None = None


class Entra(Strict):
    """Microsoft Entra ID tokens an Azure Monitor action group's secure webhook sends:
    issued by the Entra tenant `tenant_id` (its directory id) for the app registration
    whose application id or ID URI (api://...) is `audience`."""

    tenant_id: str = Field(min_length=1)
    audience: str = Field(min_length=1)


class Integration(Strict):
    """A source bound to one tenant. Secrets are named by environment variable only.

    `graph` integrations poll Microsoft Graph security alerts with an app registration
    of the customer's Microsoft tenant (aad_tenant, client_id, client_secret_env).
    """

    id: str = Field(min_length=1)
    kind: Literal["native", "alertmanager", "grafana", "events-v2", "azure-monitor", "graph"]
    token_env: str | None = None
    routing_key_env: str | None = None
    aad_tenant: str | None = None
    client_id: str | None = None
    client_secret_env: str | None = None
    poll_every: str = "1m"
    entra: Entra | None = None  # azure-monitor: also accept the secure webhook's token

    @model_validator(mode="after")
    def _graph_fields(self) -> "Integration":
        if self.entra is not None and self.kind != "azure-monitor":
            raise ValueError("entra: is only for an azure-monitor integration")
        if self.kind == "graph":
            for name in ("aad_tenant", "client_id", "client_secret_env"):
                if not getattr(self, name):
                    raise ValueError(f"{name}: is required for a graph integration")
        parse_duration(self.poll_every)
        return self


class Match(Strict):
    """All given conditions must hold; label values match exactly."""

    severity: list[Severity] = []
    source: list[str] = []
    labels: dict[str, str] = {}


class SideByHours(Strict):
    in_hours: Side
    out_of_hours: Side


class RoutingRule(Strict):
    match: Match = Match()
    channels: list[str] = []  # channel ids of this tenant; empty = all of them
    severity: Severity | None = None  # override the source's severity
    side: Side | SideByHours | None = None
    suppress: bool = False  # store and audit, never post


class Storm(Strict):
    """When more than `threshold` new alerts reach one channel within `window`, further
    non-critical ones are grouped into one storm card per source (handlers/storms)."""

    threshold: int = Field(default=10, ge=0, le=100_000)  # 0: never group
    window: str = "2m"

    _window = field_validator("window")(valid_duration)

    @property
    def enabled(self) -> bool:
        return self.threshold > 0


class Tenant(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1)
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$")
    timezone: str = "UTC"
    business_hours: BusinessHours = BusinessHours()
    channels: list[Channel] = []
    integrations: list[Integration] = []
    routing: list[RoutingRule] = []
    flap_window: str = "5m"
    silence_max: str = "7d"  # the longest a silence may last, start to end
    schedules: list[Layer] = []  # on-call layers, first covering layer wins
    escalation: list[EscalationPolicy] = []  # first policy listing the severity applies
    approval_reminders: ApprovalReminders | None = None
    digest: Digest | None = None
    ack_sla: AckSla = AckSla()
    snooze: SnoozeLimits = SnoozeLimits()  # the longest snooze per severity, and a partner's
    storm: Storm = Storm()  # `storm: off` turns grouping off
    remediation: FixPolicy = FixPolicy()

    @field_validator("storm", mode="before")
    @classmethod
    def _storm_off(cls, value: object) -> object:
        """YAML reads `off` as False; either spelling turns storms off."""
        return {"threshold": 0} if value is False or value == "off" else value

    _durations = field_validator("flap_window", "silence_max")(valid_duration)

    @model_validator(mode="after")
    def _route_channels(self) -> "Tenant":
        known = {c.channel for c in self.channels}
        problems = [
            f"routing[{i}].channels[{j}]: {channel!r} is not a channel of tenant {self.id}"
            for i, rule in enumerate(self.routing)
            for j, channel in enumerate(rule.channels)
            if channel not in known
        ]
        if problems:  # one line per problem, each starting with its place
            raise ValueError("\n".join(problems))
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if known_zone(value) is None:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/London)")
        return value


class Person(ChatAccounts):
    """A configured person; their chat accounts are the settings of ChatAccounts."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1)
    side: Side
    roles: list[Role] = [Role.RESPONDER]
    tenants: list[str] = Field(min_length=1)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class ApprovalPolicy(Strict):
    internal_approver_for: list[Severity] = [Severity.CRITICAL, Severity.HIGH]
    proposer_may_approve: Literal[False] = False


class TandemConfig(Strict):
    tenants: list[Tenant] = Field(min_length=1)
    people: list[Person] = []
    remediations: list[Fix] = []
    approval: ApprovalPolicy = ApprovalPolicy()

    @model_validator(mode="after")
    def _references(self) -> "TandemConfig":
        problems = [
            *_unique("tenants", [t.id for t in self.tenants], "id"),
            *_unique("tenants", [t.code for t in self.tenants], "code"),
            *_unique("people", [p.email for p in self.people], "email"),
            *_unique("remediations", [r.id for r in self.remediations], "id"),
            *(problem for platform in PLATFORMS for problem in _repeated(self.people, platform)),
        ]
        known = {t.id for t in self.tenants}
        for i, person in enumerate(self.people):
            problems += _unique(f"people[{i}].tenants", person.tenants)
            problems += [
                f"people[{i}].tenants[{j}]: unknown tenant {tenant!r}"
                for j, tenant in enumerate(person.tenants)
                if tenant not in known
            ]
        for i, tenant in enumerate(self.tenants):
            members = {p.email for p in self.people if tenant.id in p.tenants}
            problems += reference_problems(f"tenants[{i}]", tenant, members)
        problems += self._fix_references()
        if problems:  # one line per problem, each starting with its place
            raise ValueError("\n".join(problems))
        return self

    def _fix_references(self) -> list[str]:
        fixes = {f.id for f in self.remediations}
        problems = [f"remediations[{i}].undo: unknown fix {fix.undo!r}"
                    for i, fix in enumerate(self.remediations)
                    if fix.undo and fix.undo not in fixes]
        return problems + [
            f"tenants[{i}].remediation.partner_may_approve[{j}]: unknown fix {fix!r}"
            for i, tenant in enumerate(self.tenants)
            for j, fix in enumerate(tenant.remediation.partner_may_approve) if fix not in fixes]

    def tenant(self, tenant_id: str) -> Tenant | None:
        return next((t for t in self.tenants if t.id == tenant_id), None)

    def known_tenant(self, tenant_id: str) -> Tenant:
        """The tenant, for a caller that already holds something only a configured
        tenant has (its escalation policy, a due digest, an ended silence of it)."""
        tenant = self.tenant(tenant_id)
        if tenant is None:
            raise LookupError(f"tenant {tenant_id!r} is not configured")
        return tenant

    @cached_property
    def people_by(self) -> dict[tuple[str, str], Person]:
        """People by ("email", address) and by (platform, key) of each chat account and
        its aliases: every command looks its actor up here."""
        index: dict[tuple[str, str], Person] = {}
        for p in self.people:
            index[("email", p.email)] = p
            index.update(dict.fromkeys([*p.identities().items(), *p.aliases()], p))
        return index

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> "TandemConfig":
        """A copy whose people index is built from its own people, not the original's."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("people_by", None)
        return copied

    def person(self, email: str | None) -> Person | None:
        """The configured person with this email (any case), or None."""
        return self.people_by.get(("email", email.strip().lower())) if email else None

    def remediation(self, remediation_id: str) -> Fix | None:
        return next((r for r in self.remediations if r.id == remediation_id), None)


def _repeated(people: list[Person], platform: str) -> list[str]:
    """Chat accounts of `platform` configured for two people: the database keys people by
    them, so each names one person."""
    accounts = [p.account(platform) for p in people]
    field = next((a.key_field for a in accounts if a is not None), None)
    return _unique("people", [a and a.key for a in accounts],
                   f"{platform}.{field}" if field else platform)


def _unique(section: str, values: list[Any], key: str = "") -> list[str]:
    """`section[i].key: 'value' appears twice` for each repeat; None values are skipped."""
    seen: set[str] = set()
    problems = []
    for i, value in enumerate(values):
        if value is not None and value in seen:
            place = f"{section}[{i}].{key}" if key else f"{section}[{i}]"
            problems.append(f"{place}: {value!r} appears twice")
        seen.add(value)
    return problems


def reference_problems(place: str, tenant: Tenant, people: set[str]) -> list[str]:
    """Every unknown person, layer or channel in `tenant`'s on-call settings.

    `people` are the emails of the tenant's configured people; each problem starts
    with its place, e.g. "tenants[0].schedules[1].members[0]".
    """
    problems = []
    layers = [layer.name for layer in tenant.schedules]
    for i, layer in enumerate(tenant.schedules):
        if layer.name in layers[:i]:
            problems.append(f"{place}.schedules[{i}].name: {layer.name!r} appears twice")
        problems += [
            f"{place}.schedules[{i}].members[{j}]: {email!r} is not a configured person "
            f"of tenant {tenant.id}"
            for j, email in enumerate(layer.members)
            if email not in people
        ]
    for i, policy in enumerate(tenant.escalation):
        for j, step in enumerate(policy.steps):
            where = f"{place}.escalation[{i}].steps[{j}].notify"
            target = step.notify.removeprefix(f"{ON_CALL}:")
            if step.notify.startswith(f"{ON_CALL}:") and target not in layers:
                problems.append(f"{where}: no schedule layer named {target!r}")
            elif "@" in step.notify and step.notify not in people:
                problems.append(
                    f"{where}: {step.notify!r} is not a configured person of tenant {tenant.id}"
                )
    channels = {c.channel for c in tenant.channels}
    if tenant.digest is not None:
        problems += [
            f"{place}.digest.channels[{j}]: {channel!r} is not a channel of tenant {tenant.id}"
            for j, channel in enumerate(tenant.digest.channels)
            if channel not in channels
        ]
    return problems
