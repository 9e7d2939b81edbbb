"""The Microsoft Graph request behind each graph.* action kind, through msgraph-sdk.

Each call names the permission it needs, so a 403 can say what to grant, and reads the
answer's request-id (Microsoft support asks for it) as the execution's external id.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_http.middleware.options import HeadersInspectionHandlerOption
from msgraph.generated.identity_protection.risky_users.confirm_compromised.confirm_compromised_post_request_body import (  # noqa: E501
    ConfirmCompromisedPostRequestBody,
)
from msgraph.generated.identity_protection.risky_users.dismiss.dismiss_post_request_body import (
    DismissPostRequestBody,
)
from msgraph.generated.models.security.alert import Alert
from msgraph.generated.models.security.alert_classification import AlertClassification
from msgraph.generated.models.security.alert_determination import AlertDetermination
from msgraph.generated.models.security.alert_status import AlertStatus
from msgraph.generated.models.user import User
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from bot.remediation.executor import Failed, Job
from bot.remediation.jobs import option, target

T = TypeVar("T")
RISKY_USERS = "IdentityRiskyUser.ReadWrite.All (which needs Microsoft Entra ID P2)"


@dataclass(frozen=True)
class Done:
    detail: str  # shown on the card
    request_id: str | None


class Refused(Exception):
    """Graph answered an error; `permission` is what the refused request needs."""

    def __init__(self, permission: str, error: APIError):
        super().__init__(permission)
        self.permission, self.error = permission, error


async def _send(permission: str, request: Callable[[RequestConfiguration], Awaitable[T]],
                query: Any = None) -> tuple[T, str | None]:
    inspection = HeadersInspectionHandlerOption(inspect_request_headers=False)
    config: RequestConfiguration = RequestConfiguration(options=[inspection],
                                                        query_parameters=query)
    try:
        answer = await request(config)
    except APIError as error:
        raise Refused(permission, error) from None
    request_id = next(iter(inspection.response_headers.get("request-id")), None)
    return answer, request_id


async def revoke_sessions(client: GraphServiceClient, job: Job) -> Done:
    user = client.users.by_user_id(target(job, "user"))
    answer, request_id = await _send("User.RevokeSessions.All",
                                     user.revoke_sign_in_sessions.post)
    if answer is not None and answer.value is False:
        raise Failed(f"Microsoft Graph answered that the sessions of {target(job, 'user')} "
                     "were not revoked")
    return Done("sign-in sessions revoked", request_id)


def _set_enabled(enabled: bool) -> Callable[[GraphServiceClient, Job], Awaitable[Done]]:
    async def call(client: GraphServiceClient, job: Job) -> Done:
        user = client.users.by_user_id(target(job, "user"))
        _, request_id = await _send("User.EnableDisableAccount.All",
                                    lambda config: user.patch(User(account_enabled=enabled),
                                                              config))
        return Done("account enabled" if enabled else "account disabled", request_id)
    return call


async def _object_id(client: GraphServiceClient, job: Job) -> str:
    """Identity Protection takes object ids only: look the user up, UPN or id."""
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["id"])
    user = client.users.by_user_id(target(job, "user"))
    found, _ = await _send("User.Read.All", user.get, query)
    if found is None or not found.id:
        raise Failed(f"Microsoft Graph answered without the object id of {target(job, 'user')}")
    return found.id


async def confirm_compromised(client: GraphServiceClient, job: Job) -> Done:
    body = ConfirmCompromisedPostRequestBody(user_ids=[await _object_id(client, job)])
    action = client.identity_protection.risky_users.confirm_compromised
    _, request_id = await _send(RISKY_USERS, lambda config: action.post(body, config))
    return Done("user confirmed compromised", request_id)


async def dismiss_risk(client: GraphServiceClient, job: Job) -> Done:
    body = DismissPostRequestBody(user_ids=[await _object_id(client, job)])
    action = client.identity_protection.risky_users.dismiss
    _, request_id = await _send(RISKY_USERS, lambda config: action.post(body, config))
    return Done("user risk dismissed", request_id)


def _spellings(kind: type[Enum]) -> dict[str, str]:
    return {str(v.value).lower(): str(v.value) for v in kind if v.name != "UnknownFutureValue"}


async def close_alert(client: GraphServiceClient, job: Job) -> Done:
    """Resolve a Graph security alert at its source (alerts_v2 takes no comment in an
    update: comments are a separate POST that a repeat would duplicate)."""
    update = Alert(status=AlertStatus.Resolved, classification=AlertClassification(
        option(job, "classification", "unknown", _spellings(AlertClassification))))
    if job.options.get("determination"):
        update.determination = AlertDetermination(
            option(job, "determination", "unknown", _spellings(AlertDetermination)))
    alert = client.security.alerts_v2.by_alert_id(target(job, "alert"))
    _, request_id = await _send("SecurityAlert.ReadWrite.All",
                                lambda config: alert.patch(update, config))
    return Done("alert resolved at its source", request_id)


CALLS: dict[str, Callable[[GraphServiceClient, Job], Awaitable[Done]]] = {
    "graph.revoke_sessions": revoke_sessions,
    "graph.disable_user": _set_enabled(False),
    "graph.enable_user": _set_enabled(True),
    "graph.confirm_compromised": confirm_compromised,
    "graph.dismiss_risk": dismiss_risk,
    "graph.close_alert": close_alert,
}
