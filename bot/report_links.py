"""Signed, expiring download links to a stored monthly report, and the route serving them.

A Teams channel gets the report as a card with a link rather than as a file: a file would
go into the channel's SharePoint folder through Graph, and a shared channel has its own
SharePoint site, so that needs Files/Sites write permission granted per site and a
lookup of each channel's folder. A link served by Tandem works the same in standard,
private and shared channels, expires, and needs no Graph permission at all.

`GET /reports/{id}?expires=<unix seconds>&sig=<hex>`: `sig` is HMAC-SHA256, keyed with
TANDEM_LINK_SECRET, of "{id}.{expires}", compared in constant time. The signature is
checked before the database is read, so an unsigned request costs no query. A bad,
forged or expired link gets 403 with one sentence; a well-signed link to a report that
no longer exists, 404; the PDF comes as an attachment that is never cached.
"""

import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from cards.report_card import filename
from storage import reports
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger("tandem.reports")
ROUTE = "/reports/{id}"
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_SIG = re.compile(r"^[0-9a-f]{64}$")
_EXPIRES = re.compile(r"^[0-9]{1,12}$")
FORGED = "This download link is not valid."
EXPIRED = "This download link has expired; ask for the report again."
OFF = "Report download links are not enabled on this server."
UNKNOWN = "There is no such report."
AWAY = "The report cannot be read right now; try again in a minute."


class ReportLinks:
    def __init__(self, secret: bytes, public_url: str, valid: timedelta):
        self._secret, self.public_url, self.valid = secret, public_url.rstrip("/"), valid

    def _sign(self, report_id: str, expires: int) -> str:
        message = f"{report_id}.{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url(self, report_id: str, now: datetime) -> tuple[str, datetime]:
        """The link to the report, and when it stops working."""
        expires = int((now + self.valid).timestamp())
        query = urlencode({"expires": expires, "sig": self._sign(report_id, expires)})
        return (f"{self.public_url}/reports/{report_id}?{query}",
                datetime.fromtimestamp(expires, UTC))

    def refusal(self, report_id: str, expires: str, sig: str, now: datetime) -> str | None:
        """Why the link may not be used (one sentence), or None when it may."""
        if not (_ID.match(report_id) and _EXPIRES.match(expires) and _SIG.match(sig)):
            return FORGED
        if not hmac.compare_digest(self._sign(report_id, int(expires)).encode(), sig.encode()):
            return FORGED
        return EXPIRED if now.timestamp() > int(expires) else None


def from_settings(settings: Settings) -> ReportLinks | None:
    """The deployment's links: None unless TANDEM_PUBLIC_URL and TANDEM_LINK_SECRET are set."""
    if settings.public_url is None or settings.link_secret is None:
        return None
    return ReportLinks(settings.link_secret.get_secret_value().encode(), settings.public_url,
                       timedelta(days=settings.report_link_days))


def _refused(status: int, sentence: str) -> web.Response:
    return web.Response(status=status, text=sentence, headers={"Cache-Control": "no-store"})


def downloads(db: Database, links: ReportLinks | None,
              clock: Callable[[], datetime] = utcnow) -> Handler:
    """The handler of GET /reports/{id} (ROUTE): the stored PDF, for a link `links`
    signed and not yet expired."""

    async def download(request: web.Request) -> web.Response:
        report_id = request.match_info["id"]
        if links is None:
            return _refused(403, OFF)
        query = request.query
        refusal = links.refusal(report_id, query.get("expires", ""), query.get("sig", ""),
                                clock())
        if refusal is not None:
            return _refused(403, refusal)
        try:
            async with db.read() as session:
                info = await reports.about(session, report_id)
                pdf = await reports.content(session, report_id) if info else None
        except (SQLAlchemyError, OSError) as error:
            log.warning("report download: the database is away: %s", type(error).__name__)
            return _refused(503, AWAY)
        if info is None or pdf is None:
            return _refused(404, UNKNOWN)
        disposition = f'attachment; filename="{filename(info.tenant_id, info.month)}"'
        return web.Response(body=pdf, content_type="application/pdf", headers={
            "Content-Disposition": disposition, "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"})

    return download
