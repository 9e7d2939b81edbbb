"""Group commit for SQLite units of work: one BEGIN and one fsync for many of them.

SQLite has a single writer, so in-process units of work run one after another.
Instead of a transaction each, the units that queue up while one runs share a
transaction: each runs inside its own SAVEPOINT (so a unit that fails rolls back
alone), and a closer commits the shared transaction once the queue has drained.
A unit's block (`Database.unit()`) exits only after that commit, so a caller never
reports a change that is not yet durable.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from storage.pending import Pending
from storage.sqlite_inline import InlineConnection, inline


class Group:
    """The shared transaction, the writes its members hold for it (see
    storage/pending.py) and the future its members wait on."""

    def __init__(self, conn: AsyncConnection, driver: InlineConnection,
                 outer: AsyncTransaction):
        self.conn, self.driver, self.outer = conn, driver, outer
        self.pending = Pending()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Mark a failure as seen even when every member already left with its own error.
        self.done.add_done_callback(lambda done: done.exception())


class WriteGroup:
    """Serialises units of work on one connection and commits them in groups. The
    connection stays checked out between groups: taking it from the pool and giving it
    back cost a group a quarter of its fixed overhead."""

    def __init__(self, engine: AsyncEngine):
        self._engine = engine
        self._lock = asyncio.Lock()
        self._group: Group | None = None
        self._closer: asyncio.Task | None = None
        self._conn: AsyncConnection | None = None

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Group]:
        """The group, its connection inside the shared transaction held alone for the
        block; exits once the block's work is committed (or raises if it was not)."""
        async with self._lock:
            group = self._group or await self._open()
            try:
                yield group
            finally:
                self._schedule_close()
        await asyncio.shield(group.done)

    async def _open(self) -> Group:
        conn = self._conn or await self._engine.connect()
        try:
            self._group = Group(conn, await inline(conn), await conn.begin())
        except BaseException:
            self._conn = None
            await conn.close()
            raise
        self._conn = conn
        return self._group

    async def close(self) -> None:
        """Give the writer connection back, once the group in progress has committed."""
        if self._closer is not None:
            await asyncio.gather(self._closer, return_exceptions=True)
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()

    def _schedule_close(self) -> None:
        if self._closer is None or self._closer.done():
            self._closer = asyncio.create_task(self._close())

    async def _close(self) -> None:
        """Queue behind the units already waiting, then commit all of them at once."""
        async with self._lock:
            group, self._group = self._group, None
            if group is None:
                return
            try:
                await group.pending.write(group.conn)
                await group.outer.commit()
            except Exception as error:  # every member learns its work was not committed
                group.done.set_exception(error)
                await self._discard(group)
            else:
                group.done.set_result(None)

    async def _discard(self, group: Group) -> None:
        """After a failed COMMIT: roll back (SQLite keeps a transaction whose COMMIT
        failed) and leave the connection, so the next group starts on a fresh one."""
        self._conn = None
        try:
            await group.outer.rollback()
        finally:
            await group.conn.close()
