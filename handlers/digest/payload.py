"""A DigestView as the JSON payload of a "digest" outbox row, and back.

The digest is computed when it is queued (the numbers are as of its send time)
and rendered when the dispatcher delivers it, so the row carries the data.
"""

from dataclasses import asdict
from datetime import datetime
from typing import Any

from handlers.enums import Severity, Side, Status
from handlers.views import (
    DigestAlert,
    DigestApproval,
    DigestView,
    PersonView,
    ResponseTimes,
    SlaBreaches,
    SourceNoise,
)

VERSION = 1


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_payload(view: DigestView) -> dict[str, Any]:
    return {"v": VERSION, "digest": _plain(asdict(view))}


def _person(data: dict[str, Any]) -> PersonView:
    return PersonView(data["email"], data["name"], Side(data["side"]))


def _alert(data: dict[str, Any]) -> DigestAlert:
    return DigestAlert(data["short_id"], data["title"], Severity(data["severity"]),
                       Status(data["status"]), datetime.fromisoformat(data["first_seen"]),
                       _person(data["owner"]) if data["owner"] else None, data["over_sla"])


def _approval(data: dict[str, Any]) -> DigestApproval:
    return DigestApproval(data["short_id"], data["fix"], _person(data["proposed_by"]),
                          datetime.fromisoformat(data["proposed_at"]),
                          data["needs_internal_approver"])


def from_payload(payload: dict[str, Any]) -> DigestView:
    """Rebuild the view; raises ValueError for a payload this release cannot read."""
    if payload.get("v") != VERSION or "digest" not in payload:
        raise ValueError(f"digest payload version {payload.get('v')!r} is not {VERSION}")
    d = payload["digest"]
    return DigestView(
        d["tenant_id"], d["tenant_name"], d["timezone"],
        datetime.fromisoformat(d["since"]), datetime.fromisoformat(d["until"]),
        d["new"], d["resolved"], d["open"], d["unclaimed"],
        oldest_unclaimed=tuple(_alert(a) for a in d["oldest_unclaimed"]),
        oldest_open=tuple(_alert(a) for a in d["oldest_open"]),
        pending_approvals=tuple(_approval(a) for a in d["pending_approvals"]),
        sla_breaches=tuple(SlaBreaches(Severity(b["severity"]), b["count"], b["limit_seconds"])
                           for b in d["sla_breaches"]),
        response=tuple(ResponseTimes(**r) for r in d["response"]),
        noisiest=tuple(SourceNoise(**n) for n in d["noisiest"]),
    )
