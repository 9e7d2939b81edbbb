"""Who is on call now and next, for each of the person's tenants (handlers.oncall)."""

from datetime import UTC, datetime

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.console.viewer import tenants_of, viewer
from handlers.oncall import view
from handlers.views import OnCallView
from storage.unit import Store


async def on_call(db: Store, cfg: TandemConfig, who: Identity,
                  now: datetime | None = None) -> tuple[OnCallView, ...] | str:
    """Each of the person's tenants, by name: who is on call overall and in each layer,
    until when, and who is next; or the sentence for a stranger."""
    at = now or datetime.now(UTC)
    actor = await viewer(db, cfg, who, "oncall", at)
    if isinstance(actor, str):
        return actor
    return tuple([await view(db, cfg, tenant, at) for tenant in tenants_of(cfg, actor)])
