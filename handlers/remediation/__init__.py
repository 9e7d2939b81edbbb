"""Remediation: a fix's target bound from its alert, its execution queued with its
approval, and what the executor worker learns recorded (bot/remediation runs it)."""

from handlers.remediation.binding import Unbound, bind, described
from handlers.remediation.outcomes import Step, record_step
from handlers.remediation.queue import (
    CLASSIFICATIONS,
    CLOSE_AT_SOURCE,
    close_at_source,
    queue_fix,
)

__all__ = ["CLASSIFICATIONS", "CLOSE_AT_SOURCE", "Step", "Unbound", "bind", "close_at_source",
           "described", "queue_fix", "record_step"]
