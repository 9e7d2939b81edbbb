"""A unit of work whose ORM session opens only when the work asks for it.

On SQLite most of an alert storm is a read and an update per group of repeats, which
go straight to the sqlite3 connection (storage/live_alerts.py); opening, beginning,
committing and closing an ORM session around them cost as much as the rest of the
group. So a unit starts with a savepoint of its own and its sqlite3 connection; the
session, joined inside that savepoint, comes on the first `session()`. On PostgreSQL
a unit has no driver and its session is there from the start.
"""

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

from sqlalchemy.ext.asyncio import AsyncSession

from storage import pending
from storage.pending import Pending
from storage.sqlite_inline import InlineConnection

SAVEPOINT = "tandem_unit"


class Unit:
    def __init__(self, held: Pending, driver: InlineConnection | None,
                 opener: Callable[[AsyncExitStack], Awaitable[AsyncSession]]):
        self.held, self.driver = held, driver
        self._opener = opener
        self._stack = AsyncExitStack()
        self._session: AsyncSession | None = None

    async def session(self) -> AsyncSession:
        """The unit's ORM session, begun; the first call opens it."""
        if self._session is None:
            session = await self._opener(self._stack)
            pending.hold(session, self.held)
            self._session = session
        return self._session

    async def close(self, error: BaseException | None) -> None:
        """Commit (`error` None) or roll back the session, if one was opened, and close it."""
        if error is None:
            await self._stack.aclose()
        else:
            await self._stack.__aexit__(type(error), error, error.__traceback__)
