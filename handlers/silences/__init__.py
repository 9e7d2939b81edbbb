"""Silences: what one matches and when it is in force, who may add or expire one, and
the alerts that come back when it ends."""

from handlers.silences.changes import Wanted, add, expire
from handlers.silences.ends import tick
from handlers.silences.matching import every_text, parse_matchers
from handlers.silences.policy import stranger

__all__ = ["Wanted", "add", "every_text", "expire", "parse_matchers", "stranger", "tick"]
