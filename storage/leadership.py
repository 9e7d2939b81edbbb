"""Leadership: which one of the replicas on a database runs the fleet's jobs.

On PostgreSQL the leader holds a session advisory lock on a connection of its own;
on SQLite an exclusive flock on a file beside the database. Both are let go by the
system when their holder dies, even by kill -9 (PostgreSQL ends the session when its
connection closes; the kernel drops a dead process's flocks), so another replica's
next `try_lead` wins.
"""

import fcntl
import logging
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

log = logging.getLogger("tandem.leadership")
_LEADING = 0x54414E45  # "TANE": the advisory lock of the replica that runs the jobs


class Leadership(Protocol):
    @property
    def held(self) -> bool: ...

    async def try_lead(self) -> bool:
        """Take the lead if nobody holds it; whether this replica holds it now (asked
        while leading, checks that it still does)."""
        ...

    async def step_down(self) -> None: ...


class _Advisory:
    def __init__(self, db: Database):
        self._db = db
        self._conn: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    async def try_lead(self) -> bool:
        if self._conn is not None:
            return await self._still_held(self._conn)
        conn = await self._db.engine.connect()
        try:
            won = (await conn.exec_driver_sql(
                f"SELECT pg_try_advisory_lock({_LEADING})")).scalar_one()
            await conn.commit()
        except Exception:
            await conn.close()
            raise
        if won:
            self._conn = conn
        else:
            await conn.close()
        return bool(won)

    async def _still_held(self, conn: AsyncConnection) -> bool:
        """The lock lives as long as the session: a connection that answers still holds it."""
        try:
            await conn.exec_driver_sql("SELECT 1")
            await conn.commit()
            return True
        except Exception as error:  # the database restarted or the network dropped it
            log.warning("leadership lost with the database connection: %s",
                        type(error).__name__)
            self._conn = None
            await conn.invalidate()
            return False

    async def step_down(self) -> None:
        """Let go of the lock; the connection goes back to the pool without it."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_LEADING})")
            await conn.commit()
        except Exception:  # the session is gone, and the lock with it
            await conn.invalidate()
        await conn.close()


class _FileLock:
    def __init__(self, path: Path):
        self._path = path
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    async def try_lead(self) -> bool:
        if self._file is not None:
            return True
        file = self._path.open("a")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    async def step_down(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()  # closing the file lets go of its flock


def leadership(db: Database) -> Leadership:
    if db.dialect == "postgresql":
        return _Advisory(db)
    return _FileLock(Path(f"{db.engine.url.database}.leader"))
