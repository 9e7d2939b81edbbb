"""What changed since a point in each tenant's audit chain, for the console's live feed.

Every change of an alert, a silence or an on-call cover appends to its tenant's audit
chain in the transaction that makes it, whichever replica, process or command line made
it; the tenant row holds the chain's head (`audit_seq`). So one cheap read of the heads
says whether anything changed anywhere, and only the tenants whose head moved have their
new events read, by the chain's unique (tenant_id, seq) index.

Intake's repeats of a live alert (a count and last_seen bumped) write no audit event,
so they are not reported: a board row shows neither, and an alert's page shows the
count as of its last change or reload.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlmodel import col

from storage.models import AuditEvent, Tenant
from storage.unit import Store

MAX_EVENTS = 500  # more new events than this in one poll: the readers reload instead


@dataclass(frozen=True)
class Changes:
    """`heads`: where each tenant's chain is now (the next call's cursors); `alerts`:
    the short ids each tenant's new events are about; `tenant_wide`: tenants with new
    events about no alert (a silence, an on-call cover); `overflow`: tenants with more
    new events than were read (their cursors jumped to the head)."""

    heads: dict[str, int]
    alerts: dict[str, frozenset[str]] = field(default_factory=dict)
    tenant_wide: frozenset[str] = frozenset()
    overflow: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return bool(self.alerts or self.tenant_wide or self.overflow)


async def changes_since(db: Store, tenant_ids: Collection[str] | None,
                        cursors: Mapping[str, int], limit: int = MAX_EVENTS) -> Changes:
    """Changes after `cursors` in `tenant_ids` (None: every tenant). A tenant without a
    cursor starts at its head: nothing before the first call is reported."""
    heads = select(col(Tenant.id), col(Tenant.audit_seq))
    if tenant_ids is not None:
        heads = heads.where(col(Tenant.id).in_(sorted(tenant_ids)))
    async with db.read() as session:
        now = dict((await session.execute(heads)).all())
        moved = {t: (cursors[t], seq) for t, seq in now.items() if seq > cursors.get(t, seq)}
        if not moved:
            return Changes(now)
        behind = sum(head - since for since, head in moved.values())
        if behind > limit:
            return Changes(now, overflow=frozenset(moved))
        query = select(col(AuditEvent.tenant_id), col(AuditEvent.alert)).where(or_(*(
            and_(col(AuditEvent.tenant_id) == t, col(AuditEvent.seq) > since,
                 col(AuditEvent.seq) <= head)
            for t, (since, head) in moved.items())))
        events = (await session.execute(query)).all()
    about: dict[str, set[str]] = {}
    wide = set()
    for tenant, alert in events:
        if alert is None:
            wide.add(tenant)
        else:
            about.setdefault(tenant, set()).add(alert)
    return Changes(now, {t: frozenset(a) for t, a in about.items()}, frozenset(wide))
