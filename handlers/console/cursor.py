"""A board position: where the next page starts, as a token for a link.

It is the last row's (first_seen, id) and nothing more; it names no tenant and grants
nothing, since every page applies the reader's tenants afresh. A token that is not one
is refused with a sentence, never a traceback.
"""

import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"^(\d{1,18})-(\d{1,10})$")
_MAX_ID = 2**31 - 1  # alert ids are 32-bit integers on PostgreSQL
_LAST = (datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)


class BadCursor(ValueError):
    """Not a position this board wrote."""


def encode(first_seen: datetime, alert_id: int) -> str:
    micros = (first_seen - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}-{alert_id}"


def decode(token: str) -> tuple[datetime, int]:
    found = _TOKEN.match(token.strip())
    if found is None:
        raise BadCursor("That board position is not one Tandem wrote; start from the first page.")
    micros = int(found.group(1))
    if micros > _LAST or int(found.group(2)) > _MAX_ID:
        raise BadCursor("That board position is out of range; start from the first page.")
    return _EPOCH + timedelta(microseconds=micros), int(found.group(2))
