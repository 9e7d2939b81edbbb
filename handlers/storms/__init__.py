"""Storms: many new alerts in one channel grouped into one card per source."""

from handlers.storms.card import BeingPosted, not_posted, posted, refresh, storm_card
from handlers.storms.grouping import new_alert_rows
from handlers.storms.opening import open_alone

__all__ = ["BeingPosted", "new_alert_rows", "not_posted", "open_alone", "posted", "refresh",
           "storm_card"]
