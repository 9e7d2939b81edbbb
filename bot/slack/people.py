"""Who clicked: a Slack (team id, user id) pair, then their email, to a configured person.

A user id alone is never trusted: with Slack Connect a partner engineer clicks from
their own workspace, so the team comes with it (user.team_id in the payload).
When no configured person has that pair, users.info gives the person's email and
that is tried instead, unless Slack places the user in another team than the
payload does, and only for people with no Slack identity configured: a configured
(team, user) pins its person, so an account of another workspace that shows the same
email is refused (handlers.people). Looked-up emails are cached for the life of the
process, found people for as long as the configuration in force stays the same (a
reload empties that cache, so a removed person is not found any more).
"""

import asyncio
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.commands import Identity
from handlers.config import ConfigSource, SlackAccount, TandemConfig
from handlers.people import resolve

CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class Clicker:
    identity: Identity  # what commands are run as
    email: str | None  # the configured person's email; None when nobody matched


@dataclass(frozen=True)
class SlackUser:
    """Who sent an interaction or command, as the payload says."""

    team: str
    user: str
    home: bool  # `team` is the user's own (user.team_id); a slash command only names
    # the workspace it was typed in, which for a Slack Connect guest is not theirs

    def identity(self, email: str | None = None) -> Identity:
        return Identity("slack", SlackAccount.key_of(self.team, self.user), email)


def user_of(body: dict) -> SlackUser:
    user = body.get("user") or {}
    if isinstance(user, dict) and user.get("id"):
        home = user.get("team_id")
        team = home or (body.get("team") or {}).get("id") or ""
        return SlackUser(str(team), str(user["id"]), bool(home))
    return SlackUser(str(body.get("team_id") or ""), str(body.get("user_id") or ""), False)


class SlackPeople:
    def __init__(self, config: ConfigSource, client: AsyncWebClient):
        self.config, self.client = config, client
        self._found: dict[tuple[str, str], Clicker] = {}
        self._found_in = config.cfg  # the configuration `_found` was filled from
        self._profiles: dict[str, tuple[str | None, str | None]] = {}  # user -> (email, team)
        self._asking: dict[str, asyncio.Future] = {}

    async def identify(self, sender: SlackUser) -> Clicker:
        key = (sender.team, sender.user)
        if self._found_in is not self.cfg:
            self._found_in = self.cfg
            self._found.clear()
        if key in self._found:
            return self._found[key]
        by_pair = sender.identity()
        clicker = self._match(by_pair)
        if clicker is None:
            email, team = await self._profile(sender.user)
            consistent = not sender.home or team == sender.team
            if not (email and consistent):
                return Clicker(by_pair, None)
            # A slash command names only the workspace it was typed in: the account is
            # the one in the user's own team, as users.info gives it.
            own = sender if sender.home or not team else SlackUser(team, sender.user, True)
            claimed = own.identity(email)
            clicker = self._match(claimed)
            if clicker is None:
                return Clicker(claimed, None)  # commands refuse it, naming the pinned person
        if len(self._found) >= CACHE_LIMIT:
            self._found.clear()
        self._found[key] = clicker
        return clicker

    @property
    def cfg(self) -> TandemConfig:
        return self.config.cfg

    def _match(self, who: Identity) -> Clicker | None:
        actor = resolve(self.cfg, who)
        return Clicker(who, actor.email) if actor else None

    async def _profile(self, user: str) -> tuple[str | None, str | None]:
        """(email, home team) from users.info; a user Slack does not know has neither.
        Simultaneous clicks by one person share one look-up."""
        if user in self._profiles:
            return self._profiles[user]
        if user not in self._asking:
            self._asking[user] = asyncio.ensure_future(self._users_info(user))
            self._asking[user].add_done_callback(lambda _: self._asking.pop(user, None))
        return await asyncio.shield(self._asking[user])

    async def _users_info(self, user: str) -> tuple[str | None, str | None]:
        try:
            found = (await self.client.users_info(user=user)).get("user") or {}
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.status_code >= 500:
                return None, None  # worth asking again next time
            found = {}
        except (TimeoutError, aiohttp.ClientError):
            return None, None
        email = (found.get("profile") or {}).get("email")
        profile = (str(email).lower() if email else None, found.get("team_id"))
        if len(self._profiles) >= CACHE_LIMIT:
            self._profiles.clear()
        self._profiles[user] = profile
        return profile
