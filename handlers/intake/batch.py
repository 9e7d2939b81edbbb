"""Set-based intake for a group of events, so a storm costs a few statements per group.

The common cases are handled in memory and written at `flush()`: a repeat of a live
alert (count, last_seen and version, one executemany UPDATE for the group; the version
moves because the card shows the count, and the outbox re-renders on a new version) and
a new alert (numbers allocated in one UPDATE, rows inserted together; their audit events
and card rows are held for the end of the unit of work; handlers/storms counts them per
channel with a read and an upsert per group, a few more statements only in a storm).
Anything else (resolve, acknowledge, a trigger of an alert its source acknowledged,
reopen within the flap window) flushes first and takes the per-event path.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.enums import Status
from handlers.escalation import timers
from handlers.fanout import channels_of, outbox_row
from handlers.intake.routing import route
from handlers.intake.types import AlertIn
from handlers.silences import matching
from handlers.storms.grouping import new_alert_rows
from handlers.timing.parse import parse_duration
from storage import alerts, live_alerts, queries
from storage.live_alerts import Carded, LiveAlert
from storage.models import Alert, Silence
from storage.unit import UnitOfWork


@dataclass
class Batch:
    unit: UnitOfWork  # its ORM session is opened only by what needs more than a repeat
    cfg: TandemConfig
    tenant: TenantConfig
    now: datetime
    live: dict[str, Alert | LiveAlert]  # Alert: created in this group, or reopened
    recent: dict[str, Alert]  # resolved within the flap window, by fingerprint
    carded: Carded
    quiet: list[Silence]
    repeats: Counter[int] = field(default_factory=Counter)
    created: list[tuple[Alert, dict[str, Any]]] = field(default_factory=list)

    @classmethod
    async def prefetch(cls, unit: UnitOfWork, cfg: TandemConfig, tenant: TenantConfig,
                       keys: set[str], now: datetime) -> "Batch":
        live, carded = await live_alerts.read(unit, tenant.id, keys)
        # A storm of repeats asks for nothing more: only a key not live may be a reopen,
        # and only a new or reopened alert can be silenced.
        unseen = keys - live.keys()
        recent: dict[str, Alert] = {}
        quiet: list[Silence] = []
        if unseen:
            session = await unit.session()
            since = now - parse_duration(tenant.flap_window)
            recent = await queries.resolved_since(session, tenant.id, unseen, since)
            quiet = await matching.active(session, tenant, now)
        return cls(unit, cfg, tenant, now, live, recent, carded, quiet)

    def repeat(self, alert: Alert | LiveAlert) -> None:
        if alert.id is None:  # created earlier in this same group
            alert.count += 1
            return
        self.repeats[alert.id] += 1
        if alert.status == Status.SILENCED:
            return
        for c in channels_of(self.tenant, alert):
            lane = (alert.id, c.platform, c.channel)
            if lane not in self.carded:  # each channel refreshes on its own schedule
                self.carded.add(lane)
                self.unit.outbox([outbox_row(alert, "card", c.platform, c.channel, {}, self.now)])

    def silence_for(self, event: AlertIn, severity: str) -> Silence | None:
        """The silence in force that matches `event` at the severity routing settled on."""
        fields = matching.fields_of(event, severity)
        return next((s for s in self.quiet if matching.matches(s.matchers, fields)), None)

    def create(self, key: str, event: AlertIn) -> Alert:
        decided = route(self.tenant, event, self.now)
        severity = decided.severity or event.severity
        silence = self.silence_for(event, severity)
        quiet = decided.suppress or silence is not None
        alert = Alert(
            tenant_id=self.tenant.id, number=0, short_id="", source=event.source,
            fingerprint=key, title=event.title, description=event.description,
            severity=severity, labels=dict(event.labels),
            links=list(event.links), channels=list(decided.channels), service=event.service,
            status=Status.SILENCED if quiet else Status.OPEN, owner_side=decided.side,
            first_seen=event.occurred_at or self.now, last_seen=self.now,
            # A rule's suppression is for good; a silence's lasts until the silence ends.
            silenced_by=silence.id if silence is not None and not decided.suppress else None,
        )
        timers.restart(self.cfg, alert, self.now)
        details: dict[str, Any] = {"dedup_key": key, "severity": alert.severity}
        if silence is not None:
            details["silence"] = silence.id
        if decided.suppress:
            details["suppressed_by_rule"] = True
        self.created.append((alert, {"actor": f"source:{event.source}", "details": details}))
        self.live[key] = alert
        return alert

    async def flush(self) -> None:
        await self._write_repeats()
        await self._write_created()

    async def _write_repeats(self) -> None:
        if not self.repeats:
            return
        await live_alerts.count_repeats(self.unit, self.repeats, self.now)
        self.repeats.clear()

    async def current(self, alert: Alert | LiveAlert) -> Alert:
        """The alert as it is stored now, to change it: call after flush(), which has
        written the repeats (and inserted the alerts) this group holds in memory."""
        return await alerts.current(await self.unit.session(), alert.id)

    async def _write_created(self) -> None:
        if not self.created:
            return
        session = await self.unit.session()
        first = await alerts.take_numbers(session, self.tenant.id, len(self.created))
        for offset, (alert, _) in enumerate(self.created):
            alert.number = first + offset
            alert.short_id = f"{self.tenant.code}-{alert.number}"
        await alerts.insert_numbered(session, self.tenant.id, [alert for alert, _ in self.created])
        self.unit.audit(self.tenant.id, [
            {**entry, "at": self.now, "verb": "created", "alert": alert.short_id,
             "to_status": alert.status}
            for alert, entry in self.created
        ])
        posted = [alert for alert, _ in self.created if alert.status != Status.SILENCED]
        rows = await new_alert_rows(self.unit, self.tenant, posted, self.now)
        self.unit.outbox(rows)
        self.carded.update((r["alert_id"], r["platform"], r["channel"]) for r in rows
                           if r["kind"] == "card")
        self.created.clear()
