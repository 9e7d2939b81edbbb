"""The daily digest: built from SQL aggregates, queued once per channel per local day."""

from handlers.digest.build import catch_up, preview, send_due
from handlers.digest.payload import from_payload

__all__ = ["catch_up", "from_payload", "preview", "send_due"]
