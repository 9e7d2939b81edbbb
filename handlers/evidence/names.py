"""Who an audit actor is, as the report shows them: a display name and a side."""

from collections.abc import Mapping

from handlers.config.schema import TandemConfig
from handlers.escalation.pings import SYSTEM_ACTOR

SOURCE_PREFIX = "source:"


class Names:
    """Display names from the configuration, else from the stored copy of someone who
    has left it; a source's actor ("source:prometheus") is the source's name, and the
    system actor stays "tandem". Anyone else is shown as recorded."""

    def __init__(self, cfg: TandemConfig, stored: Mapping[str, tuple[str, str]]):
        self._cfg, self._stored = cfg, stored
        # A report names the same few people many times.
        self._names: dict[str, str] = {}
        self._sides: dict[str | None, str | None] = {}

    def name(self, actor: str) -> str:
        found = self._names.get(actor)
        if found is None:
            found = self._names[actor] = self._name(actor)
        return found

    def _name(self, actor: str) -> str:
        if actor.startswith(SOURCE_PREFIX):
            return actor.removeprefix(SOURCE_PREFIX)
        person = self._cfg.person(actor)
        if person is not None:
            return person.name
        return self._stored.get(actor.lower(), (actor, ""))[0]

    def side(self, actor: str | None) -> str | None:
        """A person's side; None for a source, the system and anyone unknown."""
        if actor not in self._sides:
            self._sides[actor] = self._side(actor)
        return self._sides[actor]

    def _side(self, actor: str | None) -> str | None:
        if actor is None or actor == SYSTEM_ACTOR or actor.startswith(SOURCE_PREFIX):
            return None
        person = self._cfg.person(actor)
        if person is not None:
            return person.side.value
        return self._stored.get(actor.lower(), ("", None))[1] or None
