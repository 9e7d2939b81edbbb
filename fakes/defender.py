"""A fake Microsoft Defender for Endpoint API on 127.0.0.1.

Machine actions (isolate, unisolate, runAntiVirusScan) answer 201 with a MachineAction
that moves one step (Pending -> InProgress -> Succeeded, or the machine's configured
end) each time it is polled; a repeat while one of that type is running answers 400
ActiveRequestAlreadyExists; GET /api/machineactions takes a `$filter` on machineId,
type and status. Like the real API it allows `limit` calls in any `window` seconds (100
a minute) and answers 429 with Retry-After past that, and takes only Defender tokens
(`defender-token-N` from FakeGraph's token endpoint). Every request is recorded.
"""

import bisect
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestServer

from fakes.loopback import started

TYPES = {"isolate": "Isolate", "unisolate": "Unisolate", "runAntiVirusScan": "RunAntiVirusScan"}
_CONDITION = re.compile(r"(\w+) eq '((?:[^']|'')*)'")


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class FakeDefender:
    machines: dict[str, dict] = field(default_factory=dict)  # id -> {"computerDnsName", "ends"}
    actions: dict[str, dict] = field(default_factory=dict)  # MachineAction id -> the action
    denied: set[str] = field(default_factory=set)  # "isolate", "unisolate", ..., "read"
    limit: int = 100
    window: float = 60.0
    retry_after: int = 30
    requests: list[dict] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of every call
    throttled: int = 0
    server: TestServer | None = None

    @property
    def url(self) -> str:
        """What TANDEM_DEFENDER_URL points at."""
        return str(started(self.server).make_url("")).rstrip("/")

    @property
    def calls_in_any_minute(self) -> int:
        """The most calls that arrived within any `window` seconds."""
        times = sorted(self.arrivals)
        return max((bisect.bisect_left(times, t + self.window) - i
                    for i, t in enumerate(times)), default=0)

    def posted(self, kind: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"].endswith(kind)]

    async def start(self) -> "FakeDefender":
        app = web.Application(middlewares=[self._gate])
        app.router.add_post("/api/machines/{machine}/{action}", self._act)
        app.router.add_get("/api/machineactions", self._list)
        app.router.add_get("/api/machineactions/{id}", self._get)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await started(self.server).close()

    @web.middleware
    async def _gate(self, request: web.Request, handler) -> web.StreamResponse:
        """Records the call, checks the token, and keeps to the rate limit."""
        now = time.monotonic()
        raw = await request.read()
        self.requests.append({"method": request.method, "path": request.path,
                              "query": dict(request.query), "at": now,
                              "body": json.loads(raw) if raw else None,
                              "authorization": request.headers.get("Authorization")})
        self.arrivals.append(now)
        if not (request.headers.get("Authorization") or "").startswith("Bearer defender-token-"):
            return _error(401, "Unauthorized", "Authorization token is missing or invalid.")
        if sum(1 for t in self.arrivals if t > now - self.window) > self.limit:
            self.throttled += 1
            return _error(429, "TooManyRequests", "Rate limit is exceeded.",
                          **{"Retry-After": str(self.retry_after)})
        return await handler(request)

    async def _act(self, request: web.Request) -> web.Response:
        machine_id, path = request.match_info["machine"], request.match_info["action"]
        if path not in TYPES:
            return _error(404, "NotFound", "Resource not found.")
        if path in self.denied:
            return _error(403, "Forbidden", "The application does not have the required "
                          "permission to perform this action.")
        if (machine := self.machines.get(machine_id)) is None:
            return _error(404, "ResourceNotFound", f"Machine {machine_id} was not found")
        body = await request.json()
        if not isinstance(body, dict) or not body.get("Comment"):
            return _error(400, "InvalidRequestBody", "Comment is required.")
        kind = TYPES[path]
        if any(a["machineId"] == machine_id and a["type"] == kind
               and a["status"] in ("Pending", "InProgress") for a in self.actions.values()):
            return _error(400, "ActiveRequestAlreadyExists", "Action is already in progress")
        action = {"id": str(uuid.uuid4()), "type": kind, "scope": body.get("IsolationType")
                  or body.get("ScanType"), "requestor": "tandem-app",
                  "requestorComment": body["Comment"], "status": "Pending",
                  "machineId": machine_id, "computerDnsName": machine.get("computerDnsName"),
                  "creationDateTimeUtc": _now(), "lastUpdateDateTimeUtc": _now()}
        self.actions[action["id"]] = action
        return web.json_response(action, status=201)

    async def _list(self, request: web.Request) -> web.Response:
        if "read" in self.denied:
            return _error(403, "Forbidden", "Missing permission Machine.Read.All.")
        conditions = {k: v.replace("''", "'") for k, v in
                      _CONDITION.findall(request.query.get("$filter", ""))}
        listed = [a for a in self.actions.values()
                  if all(a.get(k) == v for k, v in conditions.items())]
        return web.json_response({"@odata.context": f"{self.url}/api/$metadata#MachineActions",
                                  "value": listed})

    async def _get(self, request: web.Request) -> web.Response:
        if "read" in self.denied:
            return _error(403, "Forbidden", "Missing permission Machine.Read.All.")
        action = self.actions.get(request.match_info["id"])
        if action is None:
            return _error(404, "ResourceNotFound", "Machine action was not found")
        self._advance(action)
        return web.json_response(action)

    def _advance(self, action: dict) -> None:
        if action["status"] == "Pending":
            action["status"] = "InProgress"
        elif action["status"] == "InProgress":
            action["status"] = self.machines[action["machineId"]].get("ends", "Succeeded")
        action["lastUpdateDateTimeUtc"] = _now()
