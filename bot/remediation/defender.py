"""Microsoft Defender for Endpoint machine actions (defender.* kinds): isolate, release,
antivirus scan, each a MachineAction that `poll` follows until it ends.

The API is not Graph: its own client-credentials token (scope below) from the tenant's
app registration. Every call, polls included, takes a turn from the tenant's Pacer,
whose schedule lives in the database, so all replicas together stay under Defender's
100 calls a minute. Every Comment carries the execution's tag: a launch repeated after
a crash finds the action it started instead of issuing a second, and an "already in
progress" answer is the action that is running, so every kind is repeatable.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.client_credentials import ClientCredentials, TokenError
from bot.outbox.pacing import Pacer, Pacing
from bot.remediation import jobs
from bot.remediation.executor import AppRegistration, Failed, Job, Progress, Retry, State
from bot.remediation.wire import Answer, error_of, excerpt, exchange, token_failure
from storage.db import Database

DEFENDER_SCOPE = "https://api.securitycenter.microsoft.com/.default"
PACING = Pacing(per_second=1.5, burst=5)  # 90 a minute: at most 95 in any minute, of 100
THROTTLED_HOLD = 30.0  # seconds every replica waits after a 429 that gave no Retry-After
PLATFORM = "Defender for Endpoint"
_RUNNING, _ENDED = {"Pending", "InProgress"}, {"Failed", "TimeOut", "Cancelled"}


@dataclass(frozen=True)
class Action:
    path: str  # under /api/machines/{id}/
    type: str  # the MachineAction's type
    permission: str
    options: Callable[[Job], dict[str, str]]


ACTIONS = {
    "defender.isolate": Action("isolate", "Isolate", "Machine.Isolate", lambda job: {
        "IsolationType": jobs.option(job, "isolation", "full",
                                     {"full": "Full", "selective": "Selective"})}),
    "defender.release": Action("unisolate", "Unisolate", "Machine.Isolate", lambda job: {}),
    "defender.scan": Action("runAntiVirusScan", "RunAntiVirusScan", "Machine.Scan", lambda job: {
        "ScanType": jobs.option(job, "scan_type", "quick", {"quick": "Quick", "full": "Full"})}),
}


def shared_pacers(db: Database) -> Callable[[str], Pacer]:
    """A Pacer per Microsoft Entra tenant, its schedule shared by every replica."""
    return lambda aad_tenant: Pacer(PACING, db, "defender", aad_tenant)


def _odata(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DefenderActions:
    kinds = frozenset(ACTIONS)
    repeatable = kinds

    def __init__(self, http: aiohttp.ClientSession, defender_url: str, login_url: str,
                 pacer_factory: Callable[[str], Pacer]):
        self._http, self._url = http, defender_url.rstrip("/")
        self._login_url, self._pacer_factory = login_url.rstrip("/"), pacer_factory
        self._credentials: dict[AppRegistration, ClientCredentials] = {}
        self._pacers: dict[str, Pacer] = {}

    async def launch(self, job: Job) -> Progress:
        action, device = self._action(job), jobs.target(job, "device")
        if job.attempt > 0 and job.external_id is None:
            started = await self._find(job, action, device, lambda a: f"[{jobs.tag(job)}]"
                                       in str(a.get("requestorComment") or ""))
            if started is not None:
                return started
        body = {"Comment": f"{job.comment} [{jobs.tag(job)}]", **action.options(job)}
        answer = await self._call(job, "POST",
                                  f"/api/machines/{quote(device, safe='')}/{action.path}",
                                  json=body)
        if answer.status in (200, 201):
            return self._progress(answer.json())
        if answer.status == 400 and _already_running(answer):
            running = await self._find(job, action, device, lambda a: a.get("status") in _RUNNING)
            if running is not None:
                return running
            raise Retry(f"{PLATFORM} says a {action.type} action on {device} is in progress, "
                        "but lists none yet")
        raise _refusal(answer, action.permission, f"device {device} is not known to {PLATFORM}")

    async def poll(self, job: Job) -> Progress:
        if not job.external_id:
            raise Failed(f"{job.title}: no {PLATFORM} machine action to follow")
        answer = await self._call(job, "GET",
                                  f"/api/machineactions/{quote(job.external_id, safe='')}")
        if not answer.ok:
            raise _refusal(answer, "Machine.Read.All",
                           f"{PLATFORM} has no machine action {job.external_id}")
        return self._progress(answer.json())

    async def close(self) -> None:
        """The aiohttp session belongs to whoever built the executors."""

    def _action(self, job: Job) -> Action:
        if job.kind not in ACTIONS:
            raise Failed(f"{PLATFORM} carries out no {job.kind}")
        return ACTIONS[job.kind]

    async def _find(self, job: Job, action: Action, device: str,
                    wanted: Callable[[dict], bool]) -> Progress | None:
        """The newest `wanted` action of this type on the device, if any."""
        query = f"machineId eq {_odata(device)} and type eq {_odata(action.type)}"
        answer = await self._call(job, "GET", "/api/machineactions", params={"$filter": query})
        if not answer.ok:
            raise _refusal(answer, "Machine.Read.All",
                           f"device {device} is not known to {PLATFORM}")
        body = answer.json()
        listed = body.get("value") if isinstance(body, dict) else None
        found = [a for a in listed or [] if isinstance(a, dict) and wanted(a)]
        if not found:
            return None
        return self._progress(max(found, key=lambda a: str(a.get("creationDateTimeUtc") or "")))

    def _progress(self, action: Any) -> Progress:
        """A MachineAction as progress; one that ended badly fails the fix."""
        if not isinstance(action, dict) or not isinstance(action.get("id"), str):
            raise Retry(f"{PLATFORM} answered without a machine action")
        status, action_id = action.get("status"), action["id"]
        if status in _RUNNING:
            return Progress(State.RUNNING, action_id, str(status))
        if status == "Succeeded":
            return Progress(State.SUCCEEDED, action_id, "Succeeded")
        if status in _ENDED:
            raise Failed(f"{PLATFORM} reports the {action.get('type', '')} action {action_id} on "
                         f"{action.get('computerDnsName') or action.get('machineId')}: {status}")
        raise Retry(f"{PLATFORM} reports machine action {action_id} as {excerpt(str(status))}")

    async def _call(self, job: Job, method: str, path: str, **request: Any) -> Answer:
        """One paced call with the tenant's token; a 429 holds every replica's calls."""
        app = jobs.app(job)
        try:
            token = await self._credentials_of(app).token(DEFENDER_SCOPE)
        except TokenError as error:
            raise token_failure(error) from None
        pacer = self._pacers.get(app.aad_tenant)
        if pacer is None:
            pacer = self._pacers[app.aad_tenant] = self._pacer_factory(app.aad_tenant)
        await pacer.before_post()
        answer = await exchange(self._http, PLATFORM, method, self._url + path,
                                headers={"Authorization": f"Bearer {token.token}"}, **request)
        if answer.status == 429:
            after = answer.retry_after
            await pacer.hold(THROTTLED_HOLD if after is None else after)
            raise Retry(f"{PLATFORM} is throttling calls ({error_of(answer.json())})",
                        after)
        return answer

    def _credentials_of(self, app: AppRegistration) -> ClientCredentials:
        if app not in self._credentials:
            token_url = f"{self._login_url}/{app.aad_tenant}/oauth2/v2.0/token"
            self._credentials[app] = ClientCredentials(self._http, token_url, app.client_id,
                                                       app.secret)
        return self._credentials[app]


def _already_running(answer: Answer) -> bool:
    said = answer.text.lower()
    return "already in progress" in said or "activerequestalreadyexists" in said


def _refusal(answer: Answer, permission: str, missing: str) -> Failed | Retry:
    words = error_of(answer.json()) or excerpt(answer.text)
    said = f"{answer.status} {words}".strip()
    if answer.transient:
        return Retry(f"{PLATFORM} answered {said}", answer.retry_after)
    if answer.status == 403:
        return Failed(f"{PLATFORM} refused ({said}); grant the app registration {permission}")
    if answer.status == 404:
        return Failed(missing)
    return Failed(f"{PLATFORM} refused ({said})")
