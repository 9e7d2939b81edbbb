"""The unit of work: one write transaction, handed to every handler that writes.

A handler writes rows through the unit's ORM session (`session()`), appends events to
a tenant's audit chain (`audit`) and rows to the outbox (`outbox`), and may leave a
call for after the commit (`after_commit`). It never commits: `Database.unit()` opens
the unit, leaving its block commits it and an exception rolls it back. Audit events
and outbox rows are held until the transaction ends and written right before its
COMMIT (storage/pending.py); once a unit that queued outbox rows has committed, its
after-commit calls wake the outbox (`Database.wake_outbox`).

The session opens only when the work asks for it. On SQLite most of an alert storm is
a read and an update per group of repeats, which go straight to the sqlite3 connection
(storage/live_alerts.py); opening, beginning, committing and closing an ORM session
around them cost as much as the rest of the group. So a unit starts with a savepoint
of its own and its sqlite3 connection (`driver`); the session, joined inside that
savepoint, comes on the first `session()`. On PostgreSQL a unit has no driver and its
session is there from the start.
"""

import logging
from collections.abc import Awaitable, Callable, Collection
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Protocol, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from storage.pending import Pending
from storage.sqlite_inline import InlineConnection

SAVEPOINT = "tandem_unit"
ChannelKey: TypeAlias = tuple[str, str]  # (platform, channel)
# Told which channels a committed unit queued outbox rows for (Database.wake_outbox).
Wake: TypeAlias = Callable[[Collection[ChannelKey]], None]
# The ORM session handlers read through (Database.read(), UnitOfWork.session()).
Session: TypeAlias = AsyncSession
log = logging.getLogger("tandem.storage")


class UnitOfWork:
    def __init__(self, driver: InlineConnection | None,
                 opener: Callable[[AsyncExitStack], Awaitable[Session]],
                 wake_outbox: Wake, wake_executions: Callable[[], None]):
        self.driver = driver
        self.held = Pending()
        self._opener, self._wake_outbox = opener, wake_outbox
        self._wake_executions = wake_executions
        self._stack = AsyncExitStack()
        self._session: Session | None = None
        self._after: list[Callable[[], None]] = []
        self._ended = False

    async def session(self) -> Session:
        """The unit's ORM session, begun; the first call opens it."""
        if self._session is None:
            self._session = await self._opener(self._stack)
        return self._session

    def audit(self, tenant_id: str, entries: list[dict]) -> None:
        """Append events to a tenant's audit chain: each entry holds at, actor, verb and
        optionally actor_side, alert, from_status, to_status and details."""
        self._holding().events.setdefault(tenant_id, []).extend(entries)

    def outbox(self, rows: list[dict]) -> None:
        """Queue outbox rows (as `handlers.fanout.outbox_row` makes them)."""
        self._holding().outbox.extend(rows)

    def after_commit(self, call: Callable[[], None]) -> None:
        """Run `call` once the unit has committed (never if it rolls back)."""
        self._holding()
        self._after.append(call)

    def executions_queued(self) -> None:
        """The unit queued a fix's execution: the executor worker looks once committed."""
        self.after_commit(self._wake_executions)

    async def flush(self) -> None:
        """Write what the unit holds so far, as `session.flush()` does for ORM changes,
        for a unit that reads its own audit events or outbox rows back."""
        await self.held.write(await (await self.session()).connection())

    def _holding(self) -> Pending:
        if self._ended:
            raise RuntimeError("this unit of work has ended: audit events, outbox rows and "
                               "after-commit calls belong inside its block (Database.unit())")
        return self.held

    async def close(self, error: BaseException | None) -> None:
        """Commit (`error` None) or roll back the session, if one was opened, and close it."""
        if error is None:
            await self._stack.aclose()
        else:
            await self._stack.__aexit__(type(error), error, error.__traceback__)

    def end(self) -> Pending:
        """What the unit holds, to be written with its transaction; it takes no more.
        Queued outbox rows wake the outbox, naming their channels, once committed."""
        if self.held.outbox:
            channels = {(row["platform"], row["channel"]) for row in self.held.outbox}
            self._after.append(lambda: self._wake_outbox(channels))
        self._ended = True
        return self.held

    def committed(self) -> None:
        """Run the after-commit calls. The work is durable by now, so a call that fails
        is logged, not raised: the caller must not take the unit for undone."""
        for call in self._after:
            try:
                call()
            except Exception:
                log.exception("a call after a unit of work's commit failed")


class Store(Protocol):
    """What a handler that opens its own transactions is handed (a storage.db.Database):
    a unit of work at a time, as a retry or a batch at a time needs, and reads."""

    def unit(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    def read(self) -> AbstractAsyncContextManager[Session]: ...
