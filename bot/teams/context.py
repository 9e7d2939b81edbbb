"""What every Teams part needs, built once at start-up (mount.py) and passed down."""

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.teams.connector import Connectors
from bot.teams.directory import Directory
from bot.teams.views import RefreshUsers
from handlers.config.schema import TandemConfig
from storage.db import Database


def _nothing() -> None:
    """Default wake-up: no dispatcher to nudge."""


@dataclass
class TeamsContext:
    db: Database
    cfg: TandemConfig
    connectors: Connectors
    directory: Directory
    refresh: RefreshUsers
    wake: Callable[[], None] = field(default=_nothing)
