"""The chat command set that Slack's /tandem and Teams' messages both run."""

from handlers.chat.commands import Asked, Reply, run

__all__ = ["Asked", "Reply", "run"]
