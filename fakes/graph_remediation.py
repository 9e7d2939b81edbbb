"""The Microsoft Graph calls remediations make, for FakeGraph (fakes/graph.py).

Users by object id or UPN (GET, PATCH accountEnabled -> 204, revokeSignInSessions ->
200 {"value": true}), Identity Protection's riskyUsers confirmCompromised and dismiss
(204), and updates of security alerts (PATCH alerts_v2/{id} -> 200 with the alert), in
Graph's wire format, error bodies included. Every answer carries a request-id. An
operation named in `denied` answers 403 as Graph does without the permission;
`fail_next` makes the next remediation calls answer a status (with Retry-After).
"""

import json
import uuid
from dataclasses import dataclass, field

from aiohttp import web

DENIED = {"code": "Authorization_RequestDenied",
          "message": "Insufficient privileges to complete the operation."}
OPERATIONS = ("users.get", "users.update", "users.revokeSignInSessions",
              "riskyUsers.confirmCompromised", "riskyUsers.dismiss", "alerts.update")


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)


@dataclass
class GraphRemediation:
    users: dict[str, dict] = field(default_factory=dict)  # UPN -> {"id", "accountEnabled"}
    alerts: dict[str, dict] = field(default_factory=dict)  # alerts_v2 id -> the alert
    denied: set[str] = field(default_factory=set)  # operations (OPERATIONS) answered 403
    fail_next: list[tuple[int, int | None]] = field(default_factory=list)  # status, Retry-After
    revoked: list[str] = field(default_factory=list)  # object ids, one per revocation
    risk: dict[str, str] = field(default_factory=dict)  # object id -> riskState set
    requests: list[dict] = field(default_factory=list)

    def record(self, request: web.Request, body: object) -> dict:
        entry = {"method": request.method, "path": request.path, "query": dict(request.query),
                 "body": body, "authorization": request.headers.get("Authorization")}
        self.requests.append(entry)
        return entry

    def calls(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if (r["method"], r["path"]) == (method, path)]

    def user(self, key: str) -> tuple[str, dict] | None:
        for upn, user in self.users.items():
            if key.lower() in (upn.lower(), user["id"].lower()):
                return upn, user
        return None

    def add_remediation_routes(self, app: web.Application) -> None:
        routes = [("GET", "/v1.0/users/{user}", "users.get", self._get_user),
                  ("PATCH", "/v1.0/users/{user}", "users.update", self._update_user),
                  ("POST", "/v1.0/users/{user}/revokeSignInSessions",
                   "users.revokeSignInSessions", self._revoke),
                  ("POST", "/v1.0/identityProtection/riskyUsers/confirmCompromised",
                   "riskyUsers.confirmCompromised", self._risky("confirmedCompromised")),
                  ("POST", "/v1.0/identityProtection/riskyUsers/dismiss",
                   "riskyUsers.dismiss", self._risky("dismissed")),
                  ("PATCH", "/v1.0/security/alerts_v2/{alert}", "alerts.update",
                   self._update_alert)]
        for method, path, operation, handler in routes:
            app.router.add_route(method, path, self._guarded(operation, handler))

    def _guarded(self, operation: str, handler):
        async def guarded(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            body = json.loads(raw) if raw else None
            entry = self.record(request, body)
            if not (request.headers.get("Authorization") or "").startswith("Bearer graph-token-"):
                return _error(401, "InvalidAuthenticationToken", "Access token is empty.")
            if operation in self.denied:
                return web.json_response({"error": DENIED}, status=403)
            if self.fail_next:
                status, after = self.fail_next.pop(0)
                headers = {"Retry-After": str(after)} if after is not None else {}
                return _error(status, "TooManyRequests" if status == 429 else "ServiceNotAvailable",
                              "Try again later.", **headers)
            response = await handler(request, body)
            response.headers["request-id"] = entry["request_id"] = str(uuid.uuid4())
            return response
        return guarded

    def _unknown_user(self, key: str) -> web.Response:
        return _error(404, "Request_ResourceNotFound",
                      f"Resource '{key}' does not exist or one of its queried reference-property "
                      "objects are not present.")

    async def _get_user(self, request: web.Request, _body: object) -> web.Response:
        key = request.match_info["user"]
        if (found := self.user(key)) is None:
            return self._unknown_user(key)
        upn, user = found
        whole = {"id": user["id"], "userPrincipalName": upn,
                 "accountEnabled": user.get("accountEnabled", True)}
        fields = request.query.get("$select")
        shown = {k: v for k, v in whole.items() if not fields or k in fields.split(",")}
        return web.json_response({"@odata.context": "https://graph.microsoft.com/v1.0/"
                                  "$metadata#users/$entity", **shown})

    async def _update_user(self, request: web.Request, body: object) -> web.Response:
        key = request.match_info["user"]
        if (found := self.user(key)) is None:
            return self._unknown_user(key)
        if not isinstance(body, dict) or not isinstance(body.get("accountEnabled"), bool):
            return _error(400, "Request_BadRequest", "Invalid value specified for property.")
        found[1]["accountEnabled"] = body["accountEnabled"]
        return web.Response(status=204)

    async def _revoke(self, request: web.Request, _body: object) -> web.Response:
        key = request.match_info["user"]
        if (found := self.user(key)) is None:
            return self._unknown_user(key)
        self.revoked.append(found[1]["id"])
        return web.json_response({"@odata.context": "https://graph.microsoft.com/v1.0/"
                                  "$metadata#Edm.Boolean", "value": True})

    def _risky(self, state: str):
        async def act(_request: web.Request, body: object) -> web.Response:
            ids = body.get("userIds") if isinstance(body, dict) else None
            if not isinstance(ids, list) or not ids:
                return _error(400, "BadRequest", "userIds is required.")
            known = {user["id"] for user in self.users.values()}
            if unknown := [i for i in ids if i not in known]:
                return _error(404, "ResourceNotFound", f"Risky user {unknown[0]} not found.")
            for object_id in ids:
                self.risk[object_id] = state
            return web.Response(status=204)
        return act

    async def _update_alert(self, request: web.Request, body: object) -> web.Response:
        alert_id = request.match_info["alert"]
        if alert_id not in self.alerts:
            return _error(404, "NotFound", f"Alert {alert_id} not found.")
        if not isinstance(body, dict):
            return _error(400, "BadRequest", "A request body is required.")
        self.alerts[alert_id].update(body)
        return web.json_response({"@odata.type": "#microsoft.graph.security.alert",
                                  "id": alert_id, **self.alerts[alert_id]})
