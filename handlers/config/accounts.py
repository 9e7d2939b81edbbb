"""A configured person's chat accounts: the one place handlers/ defines what identifies
someone on a chat platform.

The YAML keeps each platform's own words (`slack: {team, user}`, `teams: {aad_object_id}`);
each account reduces them to the key that platform's adapter puts into an Identity, so
resolution, the database and the audit log compare (platform, key) pairs and know no
platform. A new chat platform adds its account model, one field of ChatAccounts and its
name to Platform here.
"""

from abc import ABC, abstractmethod
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


class Account(BaseModel, ABC):
    """One chat account. `key` identifies it; `aliases` are other keys the platform's
    payloads may name it by."""

    # The same settings as handlers.config.schema.Strict, which imports this module.
    model_config = ConfigDict(extra="forbid", frozen=True)
    key_field: ClassVar[str | None] = None  # the setting that is the key, if a single one

    @property
    @abstractmethod
    def key(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]:
        return ()


class SlackAccount(Account):
    """A Slack account pins its person: (team, user), and with Enterprise Grid also
    (enterprise, user), since an org-wide app's payloads name the org (E...) as the team."""

    team: str = Field(min_length=1)
    user: str = Field(min_length=1)
    enterprise: str | None = Field(default=None, pattern=r"^E[A-Z0-9]+$")

    @staticmethod
    def key_of(team: str, user: str) -> str:
        """Slack's key for an account: TEAM/USER, never a bare user id (with Slack Connect
        a partner engineer clicks from their own workspace)."""
        return f"{team}/{user}"

    @staticmethod
    def user_in(key: str) -> str:
        """The user id in a key made by key_of (Slack ids never hold a slash)."""
        return key.rpartition("/")[2]

    @property
    def key(self) -> str:
        return self.key_of(self.team, self.user)

    @property
    def aliases(self) -> tuple[str, ...]:
        return (self.key_of(self.enterprise, self.user),) if self.enterprise else ()


class TeamsAccount(Account):
    """A Microsoft Teams account: the person's Microsoft Entra (AAD) object id."""

    key_field: ClassVar[str | None] = "aad_object_id"

    aad_object_id: str = Field(min_length=1)

    @property
    def key(self) -> str:
        return self.aad_object_id


class ChatAccounts(BaseModel):
    """The chat accounts a person may configure, one field per platform, named as the
    platform is everywhere (Identity.platform, a channel's, an outbox row's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slack: SlackAccount | None = None
    teams: TeamsAccount | None = None

    def account(self, platform: str) -> Account | None:
        return getattr(self, platform, None) if platform in PLATFORMS else None

    def identities(self) -> dict[str, str]:
        """{platform: key} of every configured account."""
        return {p: account.key for p in PLATFORMS if (account := self.account(p))}

    def aliases(self) -> list[tuple[str, str]]:
        """(platform, key) of the other keys a platform's payloads may name an account by."""
        return [(p, alias) for p in PLATFORMS if (account := self.account(p))
                for alias in account.aliases]


PLATFORMS: tuple[str, ...] = tuple(ChatAccounts.model_fields)
# The same names as a type, for fields that hold a platform (a channel's).
Platform = Literal["slack", "teams"]
