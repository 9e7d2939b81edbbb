"""Reading alerts, scoped to who reads, and the views renderers receive."""

from handlers.reads.build import alert_view
from handlers.reads.scoped import alert_history, list_alerts, show_alert

__all__ = ["alert_history", "alert_view", "list_alerts", "show_alert"]
