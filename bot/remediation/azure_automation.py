"""Azure Automation runbook webhooks (kind azure_automation.webhook).

The webhook's URL carries its token, so the URL is the secret: it appears in no message
and no log line. A 202 queues a runbook job and names it in JobIds; Azure Automation
cannot tell a repeat from a new request, so the kind is not repeatable: one found in
doubt after a crash waits for a person to look at the runbook's jobs.
"""

import aiohttp

from bot.remediation import jobs
from bot.remediation.executor import Failed, Job, Progress, Retry, State
from bot.remediation.wire import exchange

PLATFORM = "the Azure Automation webhook"


class AzureAutomation:
    kinds = frozenset({"azure_automation.webhook"})
    repeatable: frozenset[str] = frozenset()

    def __init__(self, http: aiohttp.ClientSession):
        self._http = http

    async def launch(self, job: Job) -> Progress:
        answer = await exchange(self._http, PLATFORM, "POST", jobs.endpoint(job).url,
                                json=job.payload)
        if answer.ok:
            body = answer.json()
            ids = body.get("JobIds") if isinstance(body, dict) else None
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
                raise Failed("Azure Automation accepted the webhook but named no runbook job; "
                             "check the runbook's jobs before retrying the fix")
            return Progress(State.SUCCEEDED, ",".join(ids), "runbook job queued")
        if answer.status == 400:
            raise Failed("the Azure Automation webhook is expired or disabled; renew it and "
                         "update its URL in the environment")
        if answer.status == 404:
            raise Failed("the Azure Automation webhook does not exist (404); check the URL in "
                         "the environment")
        if answer.transient:
            raise Retry(f"Azure Automation answered {answer.status}", answer.retry_after)
        raise Failed(f"Azure Automation refused the webhook ({answer.status})")

    async def poll(self, job: Job) -> Progress:
        """Nothing to follow: Tandem does not read the runbook job's outcome."""
        return Progress(State.SUCCEEDED, job.external_id)

    async def close(self) -> None:
        """The aiohttp session belongs to whoever built the executors."""
