"""The middle step of Slack's external file upload (bot/slack/sender.py post_report):
POST the bytes to the upload URL files.getUploadURLExternal gave.

It is no Web API call, so its HTTP status is mapped here onto the outbox's failures:
429 RateLimited, 5xx and network errors Transient, any other refusal Permanent.
"""

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox.sender import Permanent, RateLimited, Transient

UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=45)  # within the outbox lease (60 s)


def _retry_after(response: aiohttp.ClientResponse) -> float:
    try:
        return max(float(response.headers.get("Retry-After", "1")), 0.0)
    except ValueError:
        return 1.0


async def _post_bytes(http: aiohttp.ClientSession, url: str, content: bytes) -> None:
    try:
        async with http.post(url, data=content, timeout=UPLOAD_TIMEOUT) as response:
            status = response.status
            if status == 429:
                raise RateLimited(_retry_after(response))
            if status >= 500:
                raise Transient(f"file upload: HTTP {status}", f"http_{status}")
            if status != 200:
                raise Permanent(f"file upload: HTTP {status}", f"http_{status}")
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise Transient(f"file upload: {type(error).__name__}: {error}",
                        type(error).__name__) from None


async def upload_bytes(client: AsyncWebClient, url: str, content: bytes) -> None:
    """The client's own HTTP session when it has one (Tandem's always does), else one
    for this upload."""
    if client.session is not None:
        await _post_bytes(client.session, url, content)
        return
    async with aiohttp.ClientSession() as http:
        await _post_bytes(http, url, content)
