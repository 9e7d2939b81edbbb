"""A signed audit checkpoint and the one line that carries it through chat.

Every day Tandem signs each tenant's chain head and posts it into the tenant's
channels, so the company and the partner each keep a copy outside the database. The
message holds one line that survives a copy from Slack or Teams, e.g. (on one line)

    tandem-checkpoint v1 tenant=acme seq=1234 at=2026-11-30T09:00:00Z
    hash=<64 hex> key=<16 hex> sig=<base64>

`sig` is the Ed25519 signature over the canonical JSON of the other fields (`signed`
below), so the line alone can be checked with the deployment's public key.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from handlers.evidence.signing import Verifier

MARK = "tandem-checkpoint"
VERSION = 1
_STAMP = "%Y-%m-%dT%H:%M:%SZ"
# Any whitespace between fields: a line pasted from chat may have gained some.
_LINE = re.compile(
    rf"{MARK}\s+v{VERSION}\s+tenant=(?P<tenant>[a-z0-9_][a-z0-9_-]{{0,63}})\s+"
    r"seq=(?P<seq>[1-9]\d{0,17})\s+at=(?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+"
    r"hash=(?P<hash>[0-9a-f]{64})\s+key=(?P<key>[0-9a-f]{16})\s+"
    r"sig=(?P<sig>[A-Za-z0-9+/]{86}==)")


@dataclass(frozen=True)
class Checkpoint:
    """Event #seq of the tenant's chain had `hash` at `at` (whole seconds, UTC)."""

    tenant_id: str
    seq: int
    hash: str
    at: datetime
    key_id: str
    signature: str

    def signed(self) -> dict[str, Any]:
        """The fields the signature covers."""
        return {"kind": MARK, "v": VERSION, "tenant": self.tenant_id, "seq": self.seq,
                "hash": self.hash, "at": self.at.astimezone(UTC).strftime(_STAMP),
                "key": self.key_id}

    @property
    def line(self) -> str:
        fields = self.signed()
        return (f"{MARK} v{VERSION} tenant={self.tenant_id} seq={self.seq} at={fields['at']} "
                f"hash={self.hash} key={self.key_id} sig={self.signature}")

    def valid(self, key: Verifier) -> bool:
        return key.id == self.key_id and key.verify(self.signed(), self.signature)

    def when(self) -> str:
        """E.g. "2026-11-30 09:00 UTC"."""
        return f"{self.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"

    def name(self) -> str:
        """How a report names it: "the checkpoint of 2026-11-30 09:00 UTC"."""
        return f"the checkpoint of {self.when()}"


def parse(text: str) -> list[Checkpoint]:
    """Every checkpoint line in `text` (chat pasted as it comes), in order of appearance."""
    return [Checkpoint(m["tenant"], int(m["seq"]), m["hash"],
                       datetime.strptime(m["at"], _STAMP).replace(tzinfo=UTC), m["key"],
                       m["sig"])
            for m in _LINE.finditer(text)]


@dataclass(frozen=True)
class CheckpointPost:
    """A checkpoint as posted into a channel: with the tenant's name and time zone."""

    checkpoint: Checkpoint
    tenant_name: str
    timezone: str


def to_payload(post: CheckpointPost) -> dict[str, Any]:
    """The JSON of a "checkpoint" outbox row."""
    cp = post.checkpoint
    return {"v": VERSION, "line": cp.line, "tenant_name": post.tenant_name,
            "timezone": post.timezone}


def from_payload(payload: dict[str, Any]) -> CheckpointPost:
    """Raises ValueError for a payload this release cannot read."""
    if payload.get("v") != VERSION:
        raise ValueError(f"checkpoint payload version {payload.get('v')!r} is not {VERSION}")
    found = parse(str(payload["line"]))
    if len(found) != 1:
        raise ValueError("the checkpoint payload holds no checkpoint line")
    return CheckpointPost(found[0], str(payload["tenant_name"]), str(payload["timezone"]))
