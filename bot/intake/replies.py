"""JSON answers for intake: Tandem's own shape, and the Events API v2 shape for /v2/enqueue."""

import orjson
from aiohttp import web

from handlers.intake import FieldProblem, Ingested


class Refusal(Exception):
    """A request answered with a 4xx/5xx; `reason` labels the rejection metric."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        problems: list[FieldProblem] | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.problems = problems or []
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def _json(body: dict, status: int, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer, encoded by orjson: these go out on every intake request."""
    return web.Response(body=orjson.dumps(body), status=status, headers=headers,
                        content_type="application/json")


def refusal(error: Refusal) -> web.Response:
    body: dict = {"error": error.message}
    if error.problems:
        body["problems"] = [{"path": p.path, "problem": p.problem} for p in error.problems]
    return _json(body, status=error.status, headers=error.headers)


def accepted(results: list[Ingested]) -> web.Response:
    alerts = [{"id": r.alert, "effect": r.effect.value, "dedup_key": r.dedup_key} for r in results]
    return _json({"status": "accepted", "alerts": alerts}, status=202)


def events_v2_refusal(error: Refusal) -> web.Response:
    status = "invalid event" if error.status == 400 else "error"
    errors = [str(p) for p in error.problems] or [error.message]
    return _json(
        {"status": status, "message": error.message, "errors": errors},
        status=error.status,
        headers=error.headers,
    )


def events_v2_accepted(result: Ingested) -> web.Response:
    return _json(
        {"status": "success", "message": "Event processed", "dedup_key": result.dedup_key},
        status=202,
    )
