"""The channel-neutral command API that Slack, Teams and the CLI all call."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.enums import Verb
from handlers.views import AlertView


@dataclass(frozen=True)
class Identity:
    """Who is asking, as the channel knows them. Resolved to a configured person.

    A chat account is a platform and the key that platform's adapter gives the account
    (Slack's "TEAM/USER", never a bare user id: with Slack Connect a partner engineer
    clicks from another workspace; Teams' Entra object id). `email` is what the channel
    claims besides, or all there is outside chat (the CLI's --as).
    """

    platform: str | None = None
    key: str | None = None
    email: str | None = None

    def platform_key(self) -> str | None:
        """The chat account, as `platform:key` (`slack:TEAM/USER`, `teams:AAD-ID`); None
        outside chat."""
        return f"{self.platform}:{self.key}" if self.platform and self.key else None

    def describe(self) -> str:
        """Who this is for an audit record: the chat account when there is one (an email
        that came with it may be a claim the account could not back), else the email."""
        return (self.platform_key() or self.email or "anonymous")[:320]


@dataclass(frozen=True)
class Command:
    verb: Verb
    alert: str
    actor: Identity
    args: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    seen_version: int | None = None


class Outcome(StrEnum):
    DONE = "done"
    REPLAYED = "replayed"
    REFUSED = "refused"
    ILLEGAL = "illegal"
    STALE = "stale"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    UNKNOWN_PERSON = "unknown_person"
    INVALID = "invalid"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str
    view: AlertView | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.DONE, Outcome.REPLAYED)
