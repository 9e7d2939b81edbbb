"""The detached signature of an audit export (`tandem audit export --sign` writes FILE and
FILE.sig) and its offline check (`tandem audit verify-export`).

FILE.sig is a JSON object: `format` and `version`, the `tenant`, the `extract`'s kind
(jsonl or csv), the `sha256` of FILE's bytes, how many `events` it holds, its `head` (the
last exported event's seq and hash; null for an empty extract), `since` (the --since
given, or null), `signed_at`, the `key_id` and the `signature`: base64 Ed25519 over the
canonical JSON of every other field (handlers/evidence/signing.py).
"""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from handlers.evidence.signing import Signer, Verifier

FORMAT = "tandem-audit-export-signature"
VERSION = 1
_FIELDS = {"format": str, "version": int, "tenant": str, "extract": str, "sha256": str,
           "events": int, "signed_at": str, "key_id": str, "signature": str}


class Rejected(ValueError):
    """The export does not verify; the message says why in one sentence."""


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class Extract:
    """What a signature says about its extract."""

    tenant: str
    extract: str  # "jsonl" | "csv"
    sha256: str
    events: int
    head: Head | None
    since: str | None = None


@dataclass(frozen=True)
class Signed:
    extract: Extract
    signed_at: str
    key_id: str


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(signer: Signer, extract: Extract, at: datetime) -> dict[str, Any]:
    """FILE.sig's document."""
    fields: dict[str, Any] = {"format": FORMAT, "version": VERSION, **asdict(extract),
                              "signed_at": stamp(at), "key_id": signer.public.id}
    return {**fields, "signature": signer.sign(fields)}


def _head(value: object, name: str) -> Head | None:
    if value is None:
        return None
    if not isinstance(value, dict) or type(value.get("seq")) is not int or \
            not isinstance(value.get("hash"), str):
        raise Rejected(f"{name} is not a Tandem export signature: its head is malformed")
    return Head(value["seq"], value["hash"])


def _shape(document: object, name: str) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise Rejected(f"{name} is not a Tandem export signature")
    if document.get("version") != VERSION:
        raise Rejected(f"{name} is a version {document.get('version')!r} export signature; "
                       f"this release reads version {VERSION}")
    for field, kind in _FIELDS.items():
        if type(document.get(field)) is not kind:
            raise Rejected(f"{name} is not a Tandem export signature: {field} is missing "
                           "or malformed")
    return document


def check(document: object, name: str, key: Verifier) -> Signed:
    """The claims of a signature document that `key` made; Rejected otherwise."""
    found = _shape(document, name)
    if found["key_id"] != key.id:
        raise Rejected(f"{name} was signed by key {found['key_id']}, not by the key given "
                       f"({key.id})")
    fields = {k: v for k, v in found.items() if k != "signature"}
    if not key.verify(fields, found["signature"]):
        raise Rejected(f"the signature in {name} does not verify: the signature file was "
                       "altered, or not made by this key")
    since = found.get("since")
    extract = Extract(found["tenant"], found["extract"], found["sha256"], found["events"],
                      _head(found.get("head"), name), since if isinstance(since, str) else None)
    return Signed(extract, found["signed_at"], found["key_id"])


def compare(claimed: Extract, name: str, sha256: str, events: int | None,
            head: Head | None) -> None:
    """The extract as read against what was signed; `events` and `head` are None when the
    extract's chain was not walked (csv). Rejected names the first difference."""
    if sha256 != claimed.sha256:
        raise Rejected(f"{name} has changed since it was signed: its SHA-256 is {sha256}, "
                       f"the signature says {claimed.sha256}")
    if events is not None and events != claimed.events:
        raise Rejected(f"{name} holds {events} events; the signature says {claimed.events}")
    if events is not None and head != claimed.head:
        raise Rejected(f"{name} ends at {_name(head)}; the signature's head is "
                       f"{_name(claimed.head)}")


def _name(head: Head | None) -> str:
    return "no event" if head is None else f"event #{head.seq} ({head.hash[:12]}…)"


def summary(signed: Signed, name: str, walked: bool) -> str:
    """What `verify-export` checked, in one line."""
    extract = signed.extract
    what = (f"{name}: {extract.events} events of tenant {extract.tenant}, head "
            f"{_name(extract.head)}, signed {signed.signed_at} by key {signed.key_id}")
    chain = "; its hash chain re-walked" if walked else " (csv: the chain is not re-walked)"
    return f"export verified: {what}; signature and SHA-256 match{chain}"
