"""JSON answers for intake: Tandem's own shape, and the Events API v2 shape for /v2/enqueue."""

from aiohttp import web

from handlers.intake import Ingested
from handlers.intake_types import FieldProblem


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


def refusal(error: Refusal) -> web.Response:
    body: dict = {"error": error.message}
    if error.problems:
        body["problems"] = [{"path": p.path, "problem": p.problem} for p in error.problems]
    return web.json_response(body, status=error.status, headers=error.headers)


def accepted(results: list[Ingested]) -> web.Response:
    alerts = [{"id": r.alert, "effect": r.effect.value, "dedup_key": r.dedup_key} for r in results]
    return web.json_response({"status": "accepted", "alerts": alerts}, status=202)


def events_v2_refusal(error: Refusal) -> web.Response:
    status = "invalid event" if error.status == 400 else "error"
    errors = [str(p) for p in error.problems] or [error.message]
    return web.json_response(
        {"status": status, "message": error.message, "errors": errors},
        status=error.status,
        headers=error.headers,
    )


def events_v2_accepted(result: Ingested) -> web.Response:
    return web.json_response(
        {"status": "success", "message": "Event processed", "dedup_key": result.dedup_key},
        status=202,
    )
