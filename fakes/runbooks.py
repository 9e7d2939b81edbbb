"""Fake runbook endpoints on 127.0.0.1, each recording every request:

- WebhookReceiver: a Standard Webhooks consumer. It verifies each delivery's signature
  with the `standardwebhooks` library (401 if it does not verify), keeps one delivery
  per webhook-id and counts the duplicates, and can be told to answer a status next.
- FakeAwx: AWX's job-template launch, jobs that move one step per poll, the
  template's jobs list (newest first), Bearer token checked; can answer a status next.
- FakeAutomation: an Azure Automation webhook: 202 {"JobIds": [...]} for its token,
  400 once expired, 404 for another token.
"""

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from fakes.loopback import started


@dataclass
class _Served:
    server: TestServer | None = None
    requests: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(started(self.server).make_url("")).rstrip("/")

    async def _serve(self, app: web.Application) -> None:
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        await started(self.server).close()

    async def _record(self, request: web.Request) -> bytes:
        raw = await request.read()
        self.requests.append({"method": request.method, "path": request.path,
                              "query": dict(request.query), "headers": dict(request.headers),
                              "body": raw, "at": time.monotonic()})
        return raw


@dataclass
class WebhookReceiver(_Served):
    # "whsec_" + base64 as the specification has it, or the raw key's bytes
    secret: str | bytes = "whsec_dGFuZGVtLXRlc3Qtc2lnbmluZy1zZWNyZXQ="
    deliveries: dict[str, dict] = field(default_factory=dict)  # webhook-id -> payload
    duplicates: int = 0
    refused: int = 0  # deliveries whose signature did not verify
    answer_next: list[tuple[int, int | None]] = field(default_factory=list)  # status, Retry-After
    hold_next: list[float] = field(default_factory=list)  # seconds to sit on a kept delivery

    async def start(self) -> "WebhookReceiver":
        app = web.Application()
        app.router.add_post("/hooks/runbook", self._deliver)
        await self._serve(app)
        return self

    @property
    def hook(self) -> str:
        return f"{self.url}/hooks/runbook"

    async def _deliver(self, request: web.Request) -> web.Response:
        raw = await self._record(request)
        try:
            payload = Webhook(self.secret).verify(raw, dict(request.headers))
        except WebhookVerificationError:
            self.refused += 1
            return web.json_response({"error": "invalid signature"}, status=401)
        if self.answer_next:
            status, after = self.answer_next.pop(0)
            headers = {"Retry-After": str(after)} if after is not None else {}
            return web.json_response({"error": f"answering {status}"}, status=status,
                                     headers=headers)
        webhook_id = request.headers["webhook-id"]
        if webhook_id in self.deliveries:
            self.duplicates += 1
        else:
            self.deliveries[webhook_id] = payload
        if self.hold_next:  # the runbook ran; the answer is slow (the sender may die meanwhile)
            await asyncio.sleep(self.hold_next.pop(0))
        return web.json_response({"received": webhook_id})


@dataclass
class FakeAwx(_Served):
    token: str = "awx-test-token"
    templates: dict[int, str] = field(default_factory=lambda: {42: "clean-up"})
    failing: set[int] = field(default_factory=set)  # templates whose jobs end "failed"
    jobs: dict[int, dict] = field(default_factory=dict)
    answer_next: list[tuple[int, str]] = field(default_factory=list)  # status, its "detail"
    _ids: itertools.count = field(default_factory=lambda: itertools.count(812))

    async def start(self) -> "FakeAwx":
        app = web.Application()
        app.router.add_post("/api/v2/job_templates/{template}/launch/", self._launch)
        app.router.add_get("/api/v2/job_templates/{template}/jobs/", self._list)
        app.router.add_get("/api/v2/jobs/{job}/", self._get)
        await self._serve(app)
        return self

    def launched(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST"]

    def _denied(self, request: web.Request) -> web.Response | None:
        """401 without the token; otherwise the answer it was told to give next, if any."""
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"detail": "Authentication credentials were not provided."},
                                     status=401)
        if self.answer_next:
            status, detail = self.answer_next.pop(0)
            return web.json_response({"detail": detail}, status=status)
        return None

    def _template(self, request: web.Request) -> int | None:
        key = request.match_info["template"]
        return int(key) if key.isdigit() and int(key) in self.templates else None

    async def _launch(self, request: web.Request) -> web.Response:
        raw = await self._record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        if (template := self._template(request)) is None:
            return web.json_response({"detail": "Not found."}, status=404)
        extra_vars = (json.loads(raw) if raw else {}).get("extra_vars", {})
        job_id = next(self._ids)
        self.jobs[job_id] = {"id": job_id, "type": "job", "job_template": template,
                             "name": self.templates[template], "status": "pending",
                             "extra_vars": json.dumps(extra_vars), "job_explanation": "",
                             "created": f"2024-05-14T02:{job_id % 60:02d}:00.000000Z"}
        return web.json_response({"job": job_id, "ignored_fields": {}, **self.jobs[job_id]},
                                 status=201)

    async def _list(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        if (template := self._template(request)) is None:
            return web.json_response({"detail": "Not found."}, status=404)
        size = int(request.query.get("page_size", "25"))
        mine = sorted((j for j in self.jobs.values() if j["job_template"] == template),
                      key=lambda j: j["id"], reverse=request.query.get("order_by") == "-created")
        return web.json_response({"count": len(mine), "next": None, "previous": None,
                                  "results": mine[:size]})

    async def _get(self, request: web.Request) -> web.Response:
        await self._record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        key = request.match_info["job"]
        if not key.isdigit() or (found := self.jobs.get(int(key))) is None:
            return web.json_response({"detail": "Not found."}, status=404)
        if found["status"] == "pending":
            found["status"] = "running"
        elif found["status"] == "running":
            ends = "failed" if found["job_template"] in self.failing else "successful"
            found["status"] = ends
            found["job_explanation"] = "Task failed on host db-1" if ends == "failed" else ""
        return web.json_response(found)


@dataclass
class FakeAutomation(_Served):
    token: str = "aa-webhook-token-s3cret"
    expired: bool = False
    answer_next: list[int] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # JobIds

    async def start(self) -> "FakeAutomation":
        app = web.Application()
        app.router.add_post("/webhooks", self._trigger)
        await self._serve(app)
        return self

    @property
    def webhook(self) -> str:
        """The webhook's URL, its token in the query string, as Azure hands it out."""
        return f"{self.url}/webhooks?token={self.token}"

    async def _trigger(self, request: web.Request) -> web.Response:
        await self._record(request)
        if request.query.get("token") != self.token:
            return web.Response(status=404)
        if self.expired:
            return web.Response(status=400, text="Webhook has expired or is disabled")
        if self.answer_next:
            return web.Response(status=self.answer_next.pop(0))
        job_id = str(uuid.uuid4())
        self.queued.append(job_id)
        return web.json_response({"JobIds": [job_id]}, status=202)
