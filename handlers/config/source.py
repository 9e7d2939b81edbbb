"""Where a long-lived part finds the configuration in force.

A part built once at start-up (the intake's credentials and committer, the outbox,
the Slack and Teams adapters) keeps a source, not a configuration, and reads
`source.cfg` each time it acts: a reload swaps the source's configuration (bot.runtime
.Runtime is the source a running process has), so the next click, alert or delivery
uses the new one at once.
"""

from typing import Protocol

from handlers.config.schema import TandemConfig


class ConfigSource(Protocol):
    @property
    def cfg(self) -> TandemConfig: ...
