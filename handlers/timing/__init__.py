"""Time as people type it (durations, clock times, instants in a tenant's zone) and
weekly windows in local time."""

from handlers.timing.parse import parse_clock, parse_duration, parse_instant
from handlers.timing.weekly import Window

__all__ = ["Window", "parse_clock", "parse_duration", "parse_instant"]
