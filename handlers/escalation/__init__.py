"""Escalation: timers on unclaimed alerts and the tick that takes their steps (waking
snoozed alerts first), pings, and reminders of fixes waiting for approval."""

from handlers.escalation.reminders import tick as remind_approvers
from handlers.escalation.steps import tick

__all__ = ["remind_approvers", "tick"]
