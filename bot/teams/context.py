"""What every Teams part needs, built once at start-up (mount.py) and passed down."""

from dataclasses import dataclass

from bot.metrics import Metrics
from bot.teams.connector import Connectors
from bot.teams.directory import Directory
from bot.teams.views import RefreshUsers
from handlers.config import ConfigSource, TandemConfig
from storage.db import Database


@dataclass
class TeamsContext:
    db: Database
    config: ConfigSource
    connectors: Connectors
    directory: Directory
    refresh: RefreshUsers
    metrics: Metrics  # decisions on fixes are counted here

    @property
    def cfg(self) -> TandemConfig:
        """The configuration in force now (a reload swaps it)."""
        return self.config.cfg
