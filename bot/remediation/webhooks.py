"""Outgoing runbook webhooks (kind "webhook"), signed per Standard Webhooks v1 with the
`standardwebhooks` library.

The webhook-id is the execution's tag, the same on every attempt, so a receiver that
deduplicates on it (as the specification asks) runs the runbook once however often a
crash or a Retry repeats the delivery. The signing secret is "whsec_" + base64, as the
specification has it; any other value is used as the raw key, its UTF-8 bytes.
"""

import binascii
import json
from datetime import UTC, datetime
from math import floor

import aiohttp
from standardwebhooks.webhooks import Webhook

from bot.remediation import jobs
from bot.remediation.executor import Failed, Job, Progress, Retry, State
from bot.remediation.wire import excerpt, exchange

TIMEOUT = aiohttp.ClientTimeout(total=20)
PLATFORM = "the runbook endpoint"


def signer(secret: str) -> Webhook:
    """The library reads a "whsec_" secret as base64 and bytes as the raw key."""
    try:
        return Webhook(secret if secret.startswith("whsec_") else secret.encode())
    except (binascii.Error, ValueError):
        raise Failed("the runbook webhook's signing secret starts with whsec_ but is not "
                     "base64") from None


class Webhooks:
    kinds = frozenset({"webhook"})
    repeatable = kinds

    def __init__(self, http: aiohttp.ClientSession):
        self._http = http

    async def launch(self, job: Job) -> Progress:
        endpoint = jobs.endpoint(job)
        if not endpoint.secret:
            raise Failed(f"{job.title}: the runbook webhook has no signing secret configured")
        webhook_id, now = jobs.tag(job), datetime.now(UTC)
        body = json.dumps(job.payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "webhook-id": webhook_id,
                   "webhook-timestamp": str(floor(now.timestamp())),
                   "webhook-signature": signer(endpoint.secret).sign(webhook_id, now, body)}
        answer = await exchange(self._http, PLATFORM, "POST", endpoint.url, data=body,
                                headers=headers, timeout=TIMEOUT)
        if answer.ok:
            return Progress(State.SUCCEEDED, webhook_id,
                            f"runbook endpoint answered {answer.status}")
        said = excerpt(answer.text, endpoint.secret, endpoint.url)
        if answer.status == 410:
            raise Failed("the runbook endpoint answered 410 Gone: it is disabled; re-enable it "
                         "or point the catalogue at its new URL, then retry the fix")
        if answer.transient:
            raise Retry(f"the runbook endpoint answered {answer.status}", answer.retry_after)
        if 300 <= answer.status < 400:
            raise Failed(f"the runbook endpoint answered {answer.status} (a redirect); configure "
                         "the URL it redirects to")
        raise Failed(f"the runbook endpoint refused the request ({answer.status}"
                     + (f": {said})" if said else ")"))

    async def poll(self, job: Job) -> Progress:
        """Nothing to follow: a delivery is done when the receiver answers 2xx."""
        return Progress(State.SUCCEEDED, job.external_id)

    async def close(self) -> None:
        """The aiohttp session belongs to whoever built the executors."""
