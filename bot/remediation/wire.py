"""What the executors share on the wire: one HTTP exchange read whole, the platform's
Retry-After, a printable excerpt of an answer for a sentence on a card (secrets struck
out), and a token endpoint's failure in the executors' terms.

A network failure names only its kind, never the URL: an Azure Automation webhook's
URL is its secret, and aiohttp's exceptions quote the URL they failed on.
"""

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from bot.client_credentials import TokenError
from bot.remediation.executor import Failed, Retry

TIMEOUT = aiohttp.ClientTimeout(total=30)
EXCERPT = 200  # characters of an answer's body quoted on a card


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        """Worth another try later: throttled, timed out at a gateway, or a server error."""
        return self.status in (408, 429) or self.status >= 500

    @property
    def retry_after(self) -> float | None:
        return retry_after(self.headers.get("Retry-After"))

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


async def exchange(http: aiohttp.ClientSession, platform: str, method: str, url: str, *,
                   timeout: aiohttp.ClientTimeout = TIMEOUT, **request: Any) -> Answer:
    """One request, its answer read whole; unreachable or timed out is a Retry."""
    try:
        async with http.request(method, url, timeout=timeout, allow_redirects=False,
                                **request) as response:
            text = await response.text(errors="replace")
            return Answer(response.status, response.headers.copy(), text)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise Retry(f"{platform} could not be reached ({type(error).__name__})") from None


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds from now: delta-seconds or an HTTP date; None if absent or
    unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def excerpt(text: str, *secrets: str | None, limit: int = EXCERPT) -> str:
    """`text` on one printable line of at most `limit` characters, any secret struck out."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def error_of(body: Any) -> str:
    """'Code: message' from a Microsoft API's {"error": {"code", "message"}} answer."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ""
    code, message = error.get("code"), error.get("message")
    return ": ".join(excerpt(str(part)) for part in (code, message) if part)


def token_failure(error: TokenError) -> Failed | Retry:
    """A refused client-credentials request fails the fix (a wrong secret or client id
    will not mend itself); an unreachable or throttled token endpoint is tried again."""
    if error.status is not None and error.status < 500 and error.status != 429:
        return Failed(f"the app registration's credentials were refused ({error}); check its "
                      "client id and client secret")
    return Retry(f"Microsoft Entra ID's {error}")
