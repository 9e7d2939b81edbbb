"""Re-walking the hash chain of a jsonl audit extract (`tandem audit export`), offline:
each event's hash is recomputed by storage/chain.py's rules and must link to the one
before it. The extract is fed one line at a time, so a file of any size is checked in
constant memory. An extract taken `--since` a date starts mid-chain: its first event's
prev_hash is taken as given.
"""

import json
from datetime import UTC, datetime

from storage.chain import CHAINED, digest, stamp

_KEYS = frozenset((*CHAINED, "hash"))


class BrokenExtract(ValueError):
    """The extract's own chain does not hold; the message names the line and the event."""


class ExtractWalk:
    def __init__(self, tenant_id: str):
        self.tenant_id = tenant_id
        self.events = 0
        self.head: tuple[int, str] | None = None  # the last event's (seq, hash)

    def feed(self, line: bytes, number: int) -> None:
        """Check line `number` (from 1); blank lines are skipped."""
        if not line.strip():
            return
        row = self._row(line, number)
        where = f"line {number} (event #{row['seq']})"
        if row["tenant_id"] != self.tenant_id:
            raise BrokenExtract(f"{where} belongs to tenant {row['tenant_id']!r}, "
                                f"not {self.tenant_id!r}")
        if self.head is not None:
            seq, prev = self.head
            if row["seq"] != seq + 1:
                raise BrokenExtract(f"{where} is out of sequence (expected #{seq + 1})")
            if row["prev_hash"] != prev:
                raise BrokenExtract(f"{where} does not link to the event before it")
        body = {key: row[key] for key in CHAINED}
        body["at"] = stamp(_utc(row["at"], where))
        if digest(body) != row["hash"]:
            raise BrokenExtract(f"{where} has been altered: its hash does not match its "
                                "contents")
        self.events += 1
        self.head = (row["seq"], row["hash"])

    @staticmethod
    def _row(line: bytes, number: int) -> dict:
        try:
            row = json.loads(line)
        except ValueError:
            raise BrokenExtract(f"line {number} is not a JSON object") from None
        if not isinstance(row, dict) or set(row) != _KEYS or type(row["seq"]) is not int:
            raise BrokenExtract(f"line {number} is not an exported audit event")
        return row


def _utc(value: object, where: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise BrokenExtract(f"{where} has a time that is not ISO 8601: {value!r}") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
