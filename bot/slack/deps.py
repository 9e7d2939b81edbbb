"""What the Slack listeners share, built once at start-up and passed down."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.people import SlackPeople
from handlers.config import TandemConfig
from storage.db import Database


@dataclass(frozen=True)
class SlackDeps:
    db: Database
    cfg: TandemConfig
    client: AsyncWebClient
    people: SlackPeople
    clock: Callable[[], datetime]

