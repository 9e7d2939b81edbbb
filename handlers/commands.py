"""The channel-neutral command API that Slack, Teams and the CLI all call."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.enums import Verb
from handlers.views import AlertView


@dataclass(frozen=True)
class Identity:
    """Who is asking, as the channel knows them. Resolved to a configured person.

    Slack people are (team, user) pairs, never a bare user id: with Slack Connect a
    partner engineer clicks from another workspace.
    """

    email: str | None = None
    slack_team: str | None = None
    slack_user: str | None = None
    teams_aad_id: str | None = None

    def platform_key(self) -> str | None:
        """The chat account, as `slack:TEAM/USER` or `teams:AAD-ID`; None outside chat."""
        if self.slack_user:
            return f"slack:{self.slack_team}/{self.slack_user}"
        if self.teams_aad_id:
            return f"teams:{self.teams_aad_id}"
        return None

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
