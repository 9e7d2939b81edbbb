"""What the Slack listeners share, built once at start-up and passed down."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from bot.slack.people import SlackPeople
from handlers.config import ConfigSource, TandemConfig
from storage.db import Database


@dataclass(frozen=True)
class SlackDeps:
    db: Database
    config: ConfigSource
    client: AsyncWebClient
    people: SlackPeople
    clock: Callable[[], datetime]
    metrics: Metrics

    @property
    def cfg(self) -> TandemConfig:
        """The configuration in force now (a reload swaps it)."""
        return self.config.cfg

