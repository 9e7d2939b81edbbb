"""Opening one alert of a storm: it gets its own full card in the channel, and from
then on behaves like any alert there (its storm card still counts and lists it)."""

from datetime import datetime

from handlers.commands import Identity
from handlers.config.schema import TandemConfig
from handlers.fanout import message_row
from handlers.reads.scoped import show_alert
from handlers.storms.grouping import refresh_rows
from storage import storms
from storage.unit import Store


async def open_alone(db: Store, cfg: TandemConfig, who: Identity, short_id: str,
                     platform: str, channel: str, at: datetime) -> str:
    """Queue the alert's own card in `channel`; the sentence to show who asked."""
    view = await show_alert(db, cfg, who, short_id)
    if isinstance(view, str):
        return view
    async with db.unit() as unit:
        session = await unit.session()
        storm = await storms.unstorm(session, view.id, platform, channel)
        if storm is None:
            return f"{view.short_id} already has its own card here."
        unit.outbox([message_row(view.tenant_id, view.id, "card", platform, channel, {}, at),
                     *refresh_rows(await storms.queue(session, [storm]), at)])
    return f"{view.short_id} gets its own card here."
