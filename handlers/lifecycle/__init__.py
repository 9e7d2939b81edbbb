"""An alert's life: the transition table, who may do what, each verb's effects, and
running one command as one unit of work."""

from handlers.lifecycle.dispatch import execute
from handlers.lifecycle.permissions import allowed_verbs, configured_actor

__all__ = ["allowed_verbs", "configured_actor", "execute"]
