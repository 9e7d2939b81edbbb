"""The one interface every remediation executor speaks, and what it is handed.

An approved fix becomes an execution (storage/executions.py); the worker
(bot/remediation/worker.py) leases it and hands its executor a Job: the action kind,
the target resolved from the alert ("user": "jo@acme.example"), the catalogue
entry's options, and the credentials read from the environment at that moment.

`launch` starts the action and answers with its Progress: done at once (Graph calls,
a webhook's 2xx), or running under an external id (a Defender MachineAction, an AWX
job, Azure Automation JobIds) that `poll` then follows. A launch is repeated after a
crash between the call and the record of its answer, so every launch is safe to
repeat: Graph calls are idempotent, a webhook is re-sent with the same webhook-id,
and Defender and AWX look for the action they started before starting another.

Failures are exceptions: `Retry` (429, 5xx, network: the worker backs off, honouring
`after`, and the card says "retrying") and `Failed` (a 4xx, or a target that does not
exist: the fix failed, with a sentence a person can act on; a 403 names the missing
permission). Never a silent success: an answer the executor cannot read is Retry or
Failed, never Progress(SUCCEEDED).
"""

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol


class State(Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Progress:
    state: State
    external_id: str | None = None  # Defender MachineAction id, AWX job id, JobIds, webhook id
    detail: str = ""  # the platform's words, shown on the card ("InProgress", "job 812 running")


class Retry(Exception):
    """Try again later (429, 5xx, a network error); `after` is the platform's
    Retry-After in seconds when it gave one."""

    def __init__(self, message: str, after: float | None = None):
        super().__init__(message)
        self.after = after


class Failed(Exception):
    """The fix failed for good; the message is the sentence the card and the audit log
    show (the platform's message, and the permission to grant on a 403)."""


@dataclass(frozen=True)
class AppRegistration:
    """A tenant's Microsoft Entra app registration (its `graph` integration): Graph and
    the Defender for Endpoint API both take its client-credentials tokens."""

    aad_tenant: str
    client_id: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class Endpoint:
    """Where a webhook, AWX or Azure Automation fix goes, and its secret (the signing
    secret, the AWX token; an Azure Automation webhook's URL is its own secret)."""

    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Job:
    """One execution of one approved fix, as an executor sees it."""

    id: int  # the execution's id; a webhook's webhook-id is f"tandem-execution-{id}"
    kind: str  # e.g. "graph.revoke_sessions"
    tenant_id: str
    alert: str  # the alert's short id, e.g. "ACME-142"
    title: str  # the fix's title from the catalogue
    target: dict[str, str]  # resolved bindings, e.g. {"user": "jo@acme.example"}
    options: dict[str, Any]  # the entry's options: isolation, scan_type, job_template, ...
    comment: str  # "ACME-142: Revoke all sign-in sessions, approved by Sam Okafor"
    attempt: int = 0  # launches tried before this one (after a crash or a Retry)
    external_id: str | None = None  # what an earlier launch reported, for poll
    app: AppRegistration | None = None  # graph.* and defender.* kinds
    endpoint: Endpoint | None = None  # webhook, awx.launch, azure_automation.webhook
    payload: dict[str, Any] = field(default_factory=dict)  # the JSON a webhook sends


class Executor(Protocol):
    """Carries out the action kinds it names. `repeatable` are those whose launch may be
    repeated after a crash left it in doubt (see above); any other kind found in doubt
    fails with a sentence asking a person to look before retrying."""

    kinds: frozenset[str]
    repeatable: frozenset[str]

    async def launch(self, job: Job) -> Progress: ...

    async def poll(self, job: Job) -> Progress: ...

    async def close(self) -> None: ...
