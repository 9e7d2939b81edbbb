"""What the result of an UPDATE or DELETE tells."""

from typing import Any

from sqlalchemy import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """The rows the statement matched. AsyncSession.execute types every result as a
    Result; that of an UPDATE or DELETE is a CursorResult, which counts them."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} is not the result of an UPDATE or DELETE")
    return result.rowcount
