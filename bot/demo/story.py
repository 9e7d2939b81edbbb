"""The story `tandem demo` seeds into the example tenants, told through the same intake
and command paths a source and a person use, at times in the recent past:

- yesterday afternoon, a critical brute-force alert escalated to the on-call engineer,
  claimed by the partner, fixed by hand once internal IT approved, and resolved: a
  whole timeline in the audit log;
- at 2 am last night, Microsoft Graph reported a risky sign-in for jo@acme.example; the
  partner's engineer claimed it at once and, 25 minutes before the demo starts, proposed
  revoking jo's sessions, which waits for internal IT's approval (a fix proposed at
  night would have expired by morning: the example expires them after 4 h);
- an hour ago, a disk-space storm from Prometheus (one storm card, each alert claimable);
- at Globex, an unclaimed certificate warning, which Acme's people never see.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import escalation
from handlers.commands import Command, Identity
from handlers.config import TandemConfig
from handlers.enums import GRAPH_SOURCE, Severity, Verb
from handlers.intake import AlertIn, ingest_many
from handlers.lifecycle import execute
from storage.unit import Store

SAM = Identity(email="sam@acme.example")
DANA = Identity(email="dana@partner.example")
DISKS = [("web-01", "/var", 91, Severity.MEDIUM), ("web-02", "/var", 92, Severity.MEDIUM),
         ("web-03", "/var", 97, Severity.HIGH), ("web-04", "/var", 90, Severity.MEDIUM),
         ("db-01", "/var/lib/postgresql", 95, Severity.HIGH), ("db-02", "/", 90, Severity.MEDIUM),
         ("cache-01", "/", 91, Severity.MEDIUM), ("cache-02", "/", 93, Severity.MEDIUM),
         ("build-01", "/home", 98, Severity.HIGH), ("build-02", "/home", 90, Severity.MEDIUM),
         ("log-01", "/var/log", 94, Severity.MEDIUM), ("log-02", "/var/log", 96, Severity.HIGH),
         ("vpn-01", "/", 90, Severity.LOW), ("mail-01", "/var/mail", 92, Severity.MEDIUM)]


class StoryFailed(RuntimeError):
    """A step of the story was refused: the example configuration no longer fits it."""


@dataclass(frozen=True)
class Seeded:
    incident: str  # resolved, with its whole timeline
    sign_in: str  # the 2 am risky sign-in, its fix waiting for approval
    storm: tuple[str, ...]
    globex: str


def last_two_am(now: datetime, timezone: str) -> datetime:
    """02:04 local on the last night at least an hour past."""
    local = now.astimezone(ZoneInfo(timezone))
    at = local.replace(hour=2, minute=4, second=11, microsecond=0)
    if at > local - timedelta(hours=1):
        at -= timedelta(days=1)
    return at


async def _ingest(db: Store, cfg: TandemConfig, tenant_id: str, events: list[AlertIn],
                  at: datetime) -> list[str]:
    tenant = cfg.tenant(tenant_id)
    if tenant is None:
        raise StoryFailed(f"the configuration has no tenant {tenant_id!r}")
    async with db.unit() as uow:
        found = await ingest_many(uow, cfg, tenant, events, at)
    return [f.alert for f in found if f.alert]


async def _do(db: Store, cfg: TandemConfig, who: Identity, verb: Verb, alert: str,
              at: datetime, **args: str) -> None:
    result = await execute(db, cfg, Command(verb, alert, who, args), now=at)
    if not result.ok:
        raise StoryFailed(f"{verb.value} {alert}: {result.message}")


async def _incident(db: Store, cfg: TandemConfig, start: datetime) -> str:
    event = AlertIn(source="azure", severity=Severity.CRITICAL,
                    title="Brute-force sign-in attempts on vpn-gw from 203.0.113.45",
                    description="1,842 failed sign-ins in 10 minutes from one address.",
                    labels={"host": "vpn-gw", "source_ip": "203.0.113.45"}, service="vpn")
    [alert] = await _ingest(db, cfg, "acme", [event], start)
    await escalation.tick(db, cfg, start + timedelta(minutes=6))
    steps = [
        (DANA, Verb.CLAIM, 8, {}),
        (DANA, Verb.COMMENT, 12, {"text": "Attempts from one address, all against the VPN."}),
        (DANA, Verb.PROPOSE, 14, {"remediation": "block-ip",
                                  "note": "Block 203.0.113.45 at the edge firewall."}),
        (SAM, Verb.APPROVE, 19, {"reason": "Address has no business with us; block it."}),
        (DANA, Verb.DONE, 27, {"note": "Blocked on fw-edge-01, rule 4121."}),
        (DANA, Verb.RESOLVE, 41, {"note": "No further attempts for 10 minutes."}),
    ]
    for who, verb, minutes, args in steps:
        await _do(db, cfg, who, verb, alert, start + timedelta(minutes=minutes), **args)
    return alert


async def _sign_in(db: Store, cfg: TandemConfig, at: datetime, now: datetime) -> str:
    event = AlertIn(source=GRAPH_SOURCE, severity=Severity.HIGH,
                    title="Risky sign-in: unfamiliar location for jo@acme.example",
                    description="Sign-in from an address never seen for this user.",
                    labels={"user": "jo@acme.example", "device_id": "b1e7c0de0a11ce"},
                    dedup_key="da638412345678901234_1234567890")
    [alert] = await _ingest(db, cfg, "acme", [event], at)
    await _do(db, cfg, DANA, Verb.CLAIM, alert, at + timedelta(minutes=5))
    proposed = max(at + timedelta(minutes=11), now - timedelta(minutes=25))
    await _do(db, cfg, DANA, Verb.PROPOSE, alert, proposed,
              remediation="revoke-sessions", note="Sign-in from a new country at 2 am.")
    return alert


async def _storm(db: Store, cfg: TandemConfig, at: datetime) -> list[str]:
    events = [AlertIn(source="prometheus", severity=severity,
                      title=f"Disk space low: {mount} on {host} ({used}% used)",
                      labels={"alertname": "NodeFilesystemSpaceFillingUp", "instance": host,
                              "mountpoint": mount}, service="node-exporter")
              for host, mount, used, severity in DISKS]
    found: list[str] = []
    for offset, event in enumerate(events):
        found += await _ingest(db, cfg, "acme", [event], at + timedelta(seconds=6 * offset))
    return found


async def seed(db: Store, cfg: TandemConfig, now: datetime) -> Seeded:
    """Write the story into an empty database, in the order it happened."""
    tenant = cfg.tenant("acme")
    if tenant is None:
        raise StoryFailed("the configuration has no tenant 'acme'")
    night = last_two_am(now, tenant.timezone)
    incident = await _incident(db, cfg, night - timedelta(hours=12))
    sign_in = await _sign_in(db, cfg, night, now)
    storm = await _storm(db, cfg, now - timedelta(hours=1))
    cert = AlertIn(source="api", severity=Severity.MEDIUM,
                   title="TLS certificate for shop.globex.example expires in 9 days",
                   labels={"host": "shop.globex.example"})
    [globex] = await _ingest(db, cfg, "globex", [cert], now - timedelta(minutes=20))
    return Seeded(incident, sign_in, tuple(storm), globex)
