"""Delivering an outbox row of kind "report": the stored monthly report it names
(handlers/evidence/delivery.py queued it), handed to the platform's sender, unless the
channel shows it was posted since the row was queued (an earlier attempt's answer was
lost, or its replica died after posting).

The row carries the report's id, never its bytes; they are read from `report_file`
only when a sender uploads them (Slack), in a short read of their own.
"""

from bot.outbox.pacing import Pacer
from bot.outbox.sender import Permanent, ReportFile, Sender
from handlers.config import TandemConfig
from storage import outbox
from storage import reports as stored
from storage.db import Database


async def send_report(db: Database, cfg: TandemConfig, sender: Sender, pacer: Pacer,
                      work: outbox.RowWork) -> None:
    report_id = work.payload.get("report")
    if not isinstance(report_id, str) or not report_id:
        raise Permanent("the report row names no report", "invalid_row")
    async with db.read() as session:
        info = await stored.about(session, report_id)
    if info is None:
        raise Permanent(f"report {report_id} does not exist", "invalid_row")

    async def read() -> bytes:
        async with db.read() as session:
            pdf = await stored.content(session, report_id)
        if pdf is None:
            raise Permanent(f"report {report_id} does not exist", "invalid_row")
        return pdf

    tenant = cfg.tenant(info.tenant_id)
    report = ReportFile(info.id, info.tenant_id, tenant.name if tenant else info.tenant_id,
                        tenant.timezone if tenant else "UTC", info.month, info.size, read)
    channel = work.unit.channel
    if work.queued_at is not None and await sender.find_report(channel, report, work.queued_at):
        return
    await pacer.before_post()
    await sender.post_report(channel, report)
