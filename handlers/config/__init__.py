"""The configuration: its schema (tenants, people and their chat accounts, channels,
routing, remediations, approval policy, on-call, business hours) and its mirror in the
database."""

from handlers.config.accounts import SlackAccount
from handlers.config.base import Strict
from handlers.config.schema import TandemConfig, Tenant
from handlers.config.source import ConfigSource
from handlers.config.sync import sync

__all__ = ["ConfigSource", "SlackAccount", "Strict", "TandemConfig", "Tenant", "sync"]
