"""Why a unit of work failed, in words the domain can act on without naming the driver.

A unit of work that lost a race (a concurrent writer took the unique key first, or
changed a row under its optimistic lock) or met a dropped connection (a database
restart) was rolled back whole; run again on fresh state, it may succeed. Inside
`translated()` these surface as `Conflict` and `Disconnected`; every other error
passes through unchanged.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from storage.db import lost_connection


class Conflict(Exception):
    """A concurrent writer won: a unique key was taken, or a row changed since it was read."""


class Disconnected(Exception):
    """The database dropped the connection the unit of work was using."""


def _lost_race(error: BaseException) -> bool:
    return isinstance(error, IntegrityError | StaleDataError)


def retryable(error: BaseException) -> bool:
    """A lost race or a dropped connection: the unit of work, run again, may succeed."""
    return _lost_race(error) or lost_connection(error)


@contextmanager
def translated() -> Iterator[None]:
    """Raise a lost race as Conflict and a dropped connection as Disconnected; wrap the
    whole unit of work, since either may surface as late as its commit."""
    try:
        yield
    except Exception as error:
        if _lost_race(error):
            raise Conflict(str(error)) from error
        if lost_connection(error):
            raise Disconnected(str(error)) from error
        raise
