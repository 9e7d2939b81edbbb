"""Time as people type it (durations, clock times, instants in a tenant's zone) and
weekly windows in local time."""

from handlers.timing.parse import parse_clock, parse_duration, parse_instant
from handlers.timing.weekly import Window
from handlers.timing.zones import known_zone, zone_or_utc

__all__ = ["Window", "known_zone", "parse_clock", "parse_duration", "parse_instant",
           "zone_or_utc"]
