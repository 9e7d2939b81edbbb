"""AWX / Ansible Automation Platform job-template launches (kind awx.launch).

The launch passes the execution's id as the extra var `tandem_execution`; a launch
repeated after a crash first looks through the template's recent jobs for one carrying
it, and follows that job instead of starting a second, so the kind is repeatable.
"""

import json
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.remediation import jobs
from bot.remediation.executor import Endpoint, Failed, Job, Progress, Retry, State
from bot.remediation.wire import Answer, excerpt, exchange

PLATFORM = "AWX"
RECENT = 50  # jobs of the template searched for an earlier launch
_RUNNING = {"new", "pending", "waiting", "running"}
_ENDED = {"failed", "error", "canceled"}


def _extra_vars(job: Job) -> dict[str, Any]:
    given = job.options.get("extra_vars") or {}
    if not isinstance(given, dict):
        raise Failed(f"{job.title}: `extra_vars` must be a mapping")
    return {**given, "tandem_execution": job.id, "tandem_alert": job.alert, **job.target}


def _launched_by(job: Job, found: dict) -> bool:
    """Whether an AWX job (extra_vars is a JSON string in AWX's answers) is this execution's."""
    extra = found.get("extra_vars")
    try:
        given = json.loads(extra) if isinstance(extra, str) else extra
    except ValueError:
        return False
    return isinstance(given, dict) and given.get("tandem_execution") == job.id


class Awx:
    kinds = frozenset({"awx.launch"})
    repeatable = kinds

    def __init__(self, http: aiohttp.ClientSession):
        self._http = http

    async def launch(self, job: Job) -> Progress:
        endpoint, template = jobs.endpoint(job), self._template(job)
        if job.attempt > 0 and job.external_id is None:
            earlier = await self._earlier(job, endpoint, template)
            if earlier is not None:
                return _progress(earlier)
        answer = await self._call(endpoint, "POST", f"/api/v2/job_templates/{template}/launch/",
                                  json={"extra_vars": _extra_vars(job)})
        if not answer.ok:
            raise _refusal(answer, endpoint, f"AWX has no job template {template}")
        launched = answer.json()
        if not isinstance(launched, dict) or not isinstance(launched.get("job"), int):
            raise Retry("AWX accepted the launch but named no job")
        return _progress({"status": "new", **launched, "id": launched["job"]})

    async def poll(self, job: Job) -> Progress:
        endpoint = jobs.endpoint(job)
        if not job.external_id:
            raise Failed(f"{job.title}: no AWX job to follow")
        answer = await self._call(endpoint, "GET",
                                  f"/api/v2/jobs/{quote(job.external_id, safe='')}/")
        if not answer.ok:
            raise _refusal(answer, endpoint, f"AWX has no job {job.external_id}")
        return _progress(answer.json())

    async def close(self) -> None:
        """The aiohttp session belongs to whoever built the executors."""

    def _template(self, job: Job) -> str:
        template = job.options.get("job_template")
        if not isinstance(template, int | str) or not str(template).isdigit():
            raise Failed(f"{job.title}: `job_template` must be an AWX job template id")
        return str(template)

    async def _earlier(self, job: Job, endpoint: Endpoint, template: str) -> dict | None:
        answer = await self._call(endpoint, "GET", f"/api/v2/job_templates/{template}/jobs/",
                                  params={"order_by": "-created", "page_size": str(RECENT)})
        if not answer.ok:
            raise _refusal(answer, endpoint, f"AWX has no job template {template}")
        page = answer.json()
        listed = page.get("results") if isinstance(page, dict) else None
        return next((j for j in listed or [] if isinstance(j, dict) and _launched_by(job, j)),
                    None)

    async def _call(self, endpoint: Endpoint, method: str, path: str, **request: Any) -> Answer:
        headers = {"Authorization": f"Bearer {endpoint.secret}"} if endpoint.secret else {}
        return await exchange(self._http, PLATFORM, method, endpoint.url.rstrip("/") + path,
                              headers=headers, **request)


def _progress(found: Any) -> Progress:
    if not isinstance(found, dict) or not isinstance(found.get("id"), int):
        raise Retry("AWX answered without a job")
    job_id, status = found["id"], found.get("status")
    if status in _RUNNING:
        return Progress(State.RUNNING, str(job_id), f"job {job_id} {status}")
    if status == "successful":
        return Progress(State.SUCCEEDED, str(job_id), f"job {job_id} successful")
    if status in _ENDED:
        why = excerpt(str(found.get("job_explanation") or ""))
        raise Failed(f"AWX job {job_id} ended {status}" + (f": {why}" if why else ""))
    raise Retry(f"AWX reports job {job_id} as {excerpt(str(status))}")


def _refusal(answer: Answer, endpoint: Endpoint, missing: str) -> Failed | Retry:
    body = answer.json()
    detail = body.get("detail") if isinstance(body, dict) else None
    said = excerpt(str(detail) if detail else answer.text, endpoint.secret)
    if answer.transient:
        return Retry(f"AWX answered {answer.status}", answer.retry_after)
    if answer.status == 401:
        return Failed(f"AWX refused the token (401: {said}); check the catalogue's token")
    if answer.status == 403:
        return Failed(f"AWX refused (403: {said}); the token's user needs Execute permission "
                      "on the job template")
    if answer.status == 404:
        return Failed(missing)
    return Failed(f"AWX refused ({answer.status}: {said})")
