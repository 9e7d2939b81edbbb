"""Refusals go to the audit log, in the chain of the tenant they concern only when the
person refused belongs to it.

Tenant A's log is evidence that A's customers and auditors read: what a stranger or
tenant B's engineer tried on A's alerts goes to the deployment's own chain instead
(storage.audit.DEPLOYMENT), where the operator sees it and A's log does not leak B's
people, nor B's attempts, into A's evidence.
"""

from datetime import datetime
from typing import Any

from handlers.commands import Identity
from handlers.people.resolve import Actor
from storage.audit import DEPLOYMENT
from storage.unit import UnitOfWork


def unavailable(asked: str) -> str:
    """The one answer for an alert that does not exist and one of another tenant."""
    return f"{asked.strip().upper()[:40]} is not available to you."


def chain_for(actor: Actor | None, tenant_id: str | None) -> str:
    """The chain a refusal of `actor` about `tenant_id` (None: no tenant) is written to."""
    if actor is not None and tenant_id is not None and tenant_id in actor.tenants:
        return tenant_id
    return DEPLOYMENT


def record_refusal(
    uow: UnitOfWork,
    *,
    at: datetime,
    who: Identity,
    actor: Actor | None,
    verb: str,
    reason: str,
    tenant_id: str | None,
    alert: str | None = None,
    status: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit one refusal of `verb`; `alert` is the id asked for (it may not exist)."""
    chain = chain_for(actor, tenant_id)
    about = {} if chain == tenant_id or tenant_id is None else {"tenant": tenant_id}
    uow.audit(chain, [{
        "at": at,
        "actor": actor.email if actor else who.describe(),
        "actor_side": actor.side.value if actor else None,
        "verb": "refused",
        "alert": alert.upper()[:40] if alert else None,
        "from_status": status,
        "to_status": None,
        "details": {"verb": verb, "reason": reason, **about, **(details or {})},
    }])
