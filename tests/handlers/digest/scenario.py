"""A day of Acme's alerts with known answers, for the digest period SINCE..UNTIL.

Rows are written directly (the digest only reads them); each comment says what the
alert contributes. The period is Thu 19 Nov 08:30 to Fri 20 Nov 08:30 GMT (= UTC).
"""

from datetime import UTC, datetime

from storage.models import Alert, Remediation

SINCE = datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
UNTIL = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# number, source, severity, status, first_seen, claimed_at, resolved_at, owner, side, count
ROWS = [
    # new; claimed by internal in 10m (no breach); resolved after 1h
    (1, "prometheus", "critical", "resolved", t(19, 10), t(19, 10, 10), t(19, 11),
     "sam@acme.example", "internal", 5),
    # new; claimed by the partner after 1h: breaches the 30m high SLA at 12:30
    (2, "prometheus", "high", "resolved", t(19, 12), t(19, 13), t(19, 15),
     "dana@partner.example", "partner", 2),
    # new; still unclaimed: breaches the 4h medium SLA at 00:00
    (3, "grafana", "medium", "open", t(19, 20), None, None, None, None, 4),
    # new; unclaimed, but its 1d low SLA runs out after the period
    (4, "prometheus", "low", "open", t(20, 7), None, None, None, None, 1),
    # old and claimed: open now, nothing else
    (5, "azure", "high", "claimed", t(10, 9), t(10, 9, 5), None, "lee@acme.example", "internal", 1),
    # old; resolved by the partner during the period, 24.5h after it opened
    (6, "azure", "medium", "resolved", t(18, 9), t(18, 9, 20), t(19, 9, 30),
     "raj@partner.example", "partner", 3),
    # new; claimed by the partner in 2m; a fix awaits an internal approver
    (7, "azure", "critical", "remediation_pending", t(20, 8), t(20, 8, 2), None,
     "dana@partner.example", "partner", 1),
    # new but silenced: counted as new, never a breach nor open
    (8, "grafana", "high", "silenced", t(19, 9), None, None, None, None, 1),
    # opened 10m before the period, still unclaimed: its 15m critical SLA ran out at 08:35
    (10, "prometheus", "critical", "open", t(19, 8, 20), None, None, None, "partner", 1),
]


def alerts(tenant: str = "acme", code: str = "ACME") -> list[Alert]:
    return [
        Alert(tenant_id=tenant, number=n, short_id=f"{code}-{n}", source=source,
              fingerprint=f"fp-{n}", title=f"Alert {n} from {source}", severity=severity,
              status=status, first_seen=first, last_seen=first, claimed_at=claimed,
              resolved_at=resolved, owner_email=owner, owner_side=side, count=count)
        for n, source, severity, status, first, claimed, resolved, owner, side, count in ROWS
    ]


async def load(db) -> None:
    """Acme's day, Acme-7's pending fix, and one Globex alert the digest must not count."""
    acme = alerts()
    async with db.unit() as uow:
        session = await uow.session()
        session.add_all(acme)
        session.add(Alert(tenant_id="globex", number=1, short_id="GLOBEX-1", source="prometheus",
                          fingerprint="fp-g", title="Other tenant", severity="critical",
                          status="open", first_seen=t(19, 12), last_seen=t(19, 12)))
        await session.flush()
        pending = next(a for a in acme if a.number == 7)
        session.add(Remediation(alert_id=pending.id, action_id="restart-service", note="",
                                proposed_by="dana@partner.example", proposer_side="partner",
                                needs_internal_approver=True, proposed_at=t(20, 8, 10)))
