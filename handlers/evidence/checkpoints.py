"""Daily signed audit checkpoints: made with each tenant's digest, posted into each of its
channels, and checked by `tandem audit verify`.

When: at the tenant's digest time (`digest.at`, in its time zone), or at DEFAULT_AT
local time for a tenant without a digest (just after local midnight: the day's first
job, before anyone acts on the new day). `make` runs from that cron job and again when
a replica takes the lead (a checkpoint missed while Tandem was down goes out if its
local day is not over). Each is one unit of work writing the `audit_checkpoint` row
(key: tenant, local date) with one outbox row per channel, so however many replicas
try, exactly one commits it. A tenant whose chain is still empty gets none.

Checking: every stored checkpoint and every one pasted from chat is verified against
the public key(s) first; one with a bad signature, or signed by a key not given, is
reported and not used. The others are handed to storage.audit.verify as anchors:
event #seq must still have exactly the checkpoint's hash.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.config.schema import TandemConfig
from handlers.config.schema import Tenant as TenantConfig
from handlers.evidence.checkpoint_line import Checkpoint, CheckpointPost, to_payload
from handlers.evidence.signing import Signer, Verifier
from handlers.fanout import message_row
from handlers.timing import parse_clock
from storage import audit
from storage import checkpoints as C
from storage.checkpoint_models import AuditCheckpoint
from storage.db import Database
from storage.errors import Conflict
from storage.unit import Store

KIND = "checkpoint"  # the outbox row kind
DEFAULT_AT = time(0, 5)


def send_time(tenant: TenantConfig) -> time:
    return parse_clock(tenant.digest.at) if tenant.digest else DEFAULT_AT


def due_day(tenant: TenantConfig, now: datetime) -> date | None:
    """The local date whose checkpoint is due at `now`, or None before today's time."""
    local = now.astimezone(ZoneInfo(tenant.timezone))
    return local.date() if local.time() >= send_time(tenant) else None


async def make(db: Store, cfg: TandemConfig, signer: Signer, tenant_id: str,
               now: datetime) -> Checkpoint | None:
    """Sign the tenant's chain head and queue it for each of its channels, unless today's
    checkpoint exists, is not due yet, or the chain is empty."""
    tenant = cfg.tenant(tenant_id)
    day = due_day(tenant, now) if tenant else None
    if tenant is None or day is None:
        return None
    at = now.astimezone(UTC).replace(microsecond=0)
    try:
        async with db.unit() as uow:
            session = await uow.session()
            if await C.made(session, tenant.id, day):
                return None
            seq, head = await C.head(session, tenant.id)
            if seq == 0:
                return None
            unsigned = Checkpoint(tenant.id, seq, head, at, signer.public.id, "")
            made = replace(unsigned, signature=signer.sign(unsigned.signed()))
            await C.record(session, tenant.id, day, seq, head, at, made.key_id, made.signature)
            payload = to_payload(CheckpointPost(made, tenant.name, tenant.timezone))
            uow.outbox([message_row(tenant.id, None, KIND, c.platform, c.channel, payload, now)
                        for c in tenant.channels])
    except Conflict:  # another replica committed today's checkpoint first
        return None
    return made


async def catch_up(db: Store, cfg: TandemConfig, signer: Signer, now: datetime) -> int:
    """Every tenant's checkpoint that is due today and not made yet."""
    return sum([await make(db, cfg, signer, t.id, now) is not None for t in cfg.tenants])


@dataclass
class Checked:
    """What `verify` found: the chain walk, the checkpoints it was held to, and every
    checkpoint that could not be used (a bad signature, an unknown key or tenant)."""

    verification: audit.Verification
    stored: int = 0
    pasted: int = 0
    unsigned: bool = False  # no key was given: signatures were not checked
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verification.ok and not self.problems


def _stored(row: AuditCheckpoint) -> Checkpoint:
    return Checkpoint(row.tenant_id, row.seq, row.hash, row.at, row.key_id, row.signature)


def _trouble(cp: Checkpoint, origin: str, keys: Sequence[Verifier]) -> str | None:
    """Why a checkpoint cannot be trusted, or None."""
    key = next((k for k in keys if k.id == cp.key_id), None)
    where = f"tenant {cp.tenant_id}: the {origin} checkpoint of {cp.when()} (#{cp.seq})"
    if key is None:
        given = ", ".join(k.id for k in keys)
        return f"{where} was signed by key {cp.key_id}, not by the key given ({given})"
    if not cp.valid(key):
        return f"{where} has a bad signature: it is forged or was altered"
    return None


async def verify(db: Database, tenant_id: str | None, pasted: Sequence[Checkpoint],
                 keys: Sequence[Verifier]) -> Checked:
    """The chain walk of storage.audit.verify, held to every trusted checkpoint: the
    stored ones and those `pasted` from chat. Raises audit.UnknownTenant."""
    pasted = [cp for cp in pasted if tenant_id is None or cp.tenant_id == tenant_id]
    async with db.read() as session:  # before the walk reads the heads: none is newer
        stored = [_stored(row) for row in await C.of_tenant(session, tenant_id)]
        known = await C.chains(session)
    problems = [f"tenant {t}: there is no audit chain of that name, yet checkpoints of it "
                "were pasted" for t in sorted({cp.tenant_id for cp in pasted} - known)]
    anchors: dict[str, list[audit.Anchor]] = {}
    for origin, found in (("stored", stored), ("pasted", pasted)):
        for cp in found:
            trouble = _trouble(cp, origin, keys) if keys else None
            if trouble:
                problems.append(trouble)
                continue
            anchors.setdefault(cp.tenant_id, []).append(
                audit.Anchor(cp.seq, cp.hash, cp.name()))
    unique = {tenant: list(dict.fromkeys(found)) for tenant, found in anchors.items()}
    verification = await audit.verify(db, tenant_id, unique)
    return Checked(verification, len(stored), len(pasted), not keys, problems)


def summary(checked: Checked, keys: Sequence[Verifier]) -> str:
    """The success line of `tandem audit verify`."""
    done = checked.verification
    line = f"audit log intact: {done.checked} events verified"
    if not checked.stored and not checked.pasted:
        return line
    line += (f"; it matches {done.anchored} checkpoints ({checked.stored} stored, "
             f"{checked.pasted} pasted)")
    if checked.unsigned:
        return line + ("; their signatures were NOT checked: no key (set "
                       "TANDEM_SIGNING_KEY_FILE or give --key)")
    return line + f", signatures checked with key {', '.join(k.id for k in keys)}"
