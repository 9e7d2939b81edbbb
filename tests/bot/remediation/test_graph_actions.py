"""Microsoft Graph remediations through msgraph-sdk against a fake Graph on loopback."""

import pytest

from bot.remediation.executor import AppRegistration, Failed, Retry, State
from bot.remediation.graph_actions import GraphActions
from tests.bot.remediation.conftest import APP, JO, closed_port_url, job

USER = "/v1.0/users/jo@acme.example"


@pytest.fixture
async def actions(http, graph):
    executor = GraphActions(http, f"{graph.base}/v1.0", graph.base)
    yield executor
    await executor.close()


async def test_revoking_sessions_posts_once_and_answers_with_the_request_id(actions, graph):
    progress = await actions.launch(job("graph.revoke_sessions"))
    [call] = graph.requests
    assert (call["method"], call["path"]) == ("POST", f"{USER}/revokeSignInSessions")
    assert call["authorization"] == "Bearer graph-token-1"
    assert graph.token_requests == [{"tenant": APP.aad_tenant,
                                     "scope": "https://graph.microsoft.com/.default"}]
    assert graph.revoked == [JO["id"]]
    assert progress.state is State.SUCCEEDED
    assert progress.external_id == call["request_id"]
    assert progress.detail == "sign-in sessions revoked"


@pytest.mark.parametrize("kind, enabled", [("graph.disable_user", False),
                                           ("graph.enable_user", True)])
async def test_disable_and_enable_patch_account_enabled_and_repeat_safely(actions, graph, kind,
                                                                          enabled):
    graph.users["jo@acme.example"]["accountEnabled"] = not enabled
    for _ in range(2):  # a repeat after a crash changes nothing further
        assert (await actions.launch(job(kind))).state is State.SUCCEEDED
    assert graph.users["jo@acme.example"]["accountEnabled"] is enabled
    patches = graph.calls("PATCH", USER)
    assert len(patches) == 2 and all(p["body"]["accountEnabled"] is enabled for p in patches)


@pytest.mark.parametrize("kind, path, state", [
    ("graph.confirm_compromised", "confirmCompromised", "confirmedCompromised"),
    ("graph.dismiss_risk", "dismiss", "dismissed")])
@pytest.mark.parametrize("user", ["jo@acme.example", JO["id"]])
async def test_risky_users_take_the_object_id_looked_up_first(actions, graph, kind, path, state,
                                                              user):
    await actions.launch(job(kind, {"user": user}))
    lookup, action = graph.requests
    assert (lookup["method"], lookup["path"], lookup["query"]) == (
        "GET", f"/v1.0/users/{user}", {"$select": "id"})
    assert action["path"] == f"/v1.0/identityProtection/riskyUsers/{path}"
    assert action["body"] == {"userIds": [JO["id"]]}
    assert graph.risk == {JO["id"]: state}


async def test_closing_an_alert_resolves_it_with_the_classification(actions, graph):
    graph.alerts["da63f8-1"] = {"status": "inProgress", "title": "Risky sign-in"}
    options = {"classification": "truePositive", "determination": "compromisedAccount"}
    progress = await actions.launch(job("graph.close_alert", {"alert": "da63f8-1"},
                                        options=options))
    [call] = graph.requests
    assert (call["method"], call["path"]) == ("PATCH", "/v1.0/security/alerts_v2/da63f8-1")
    assert {"status": "resolved", "classification": "truePositive",
            "determination": "compromisedAccount"}.items() <= graph.alerts["da63f8-1"].items()
    assert progress.detail == "alert resolved at its source"


async def test_an_alert_is_closed_as_unknown_unless_classified(actions, graph):
    graph.alerts["da63f8-2"] = {"status": "new"}
    await actions.launch(job("graph.close_alert", {"alert": "da63f8-2"}))
    [call] = graph.requests
    assert call["body"]["classification"] == "unknown" and "determination" not in call["body"]


async def test_an_unknown_classification_fails_before_any_call(actions, graph):
    with pytest.raises(Failed, match="classification.*falsePositive.*not truly-bad"):
        await actions.launch(job("graph.close_alert", {"alert": "x"},
                                 options={"classification": "truly-bad"}))
    assert graph.requests == []


@pytest.mark.parametrize("kind, operation, permission", [
    ("graph.revoke_sessions", "users.revokeSignInSessions", "User.RevokeSessions.All"),
    ("graph.disable_user", "users.update", "User.EnableDisableAccount.All"),
    ("graph.enable_user", "users.update", "User.EnableDisableAccount.All"),
    ("graph.confirm_compromised", "riskyUsers.confirmCompromised",
     "IdentityRiskyUser.ReadWrite.All (which needs Microsoft Entra ID P2)"),
    ("graph.dismiss_risk", "riskyUsers.dismiss", "IdentityRiskyUser.ReadWrite.All"),
    ("graph.confirm_compromised", "users.get", "User.Read.All"),
    ("graph.close_alert", "alerts.update", "SecurityAlert.ReadWrite.All"),
])
async def test_a_403_names_graphs_message_and_the_permission_to_grant(actions, graph, kind,
                                                                      operation, permission):
    graph.denied.add(operation)
    graph.alerts["a1"] = {"status": "new"}
    with pytest.raises(Failed) as refused:
        await actions.launch(job(kind, {"user": "jo@acme.example", "alert": "a1"}))
    assert str(refused.value).startswith(
        "Microsoft Graph refused (403 Authorization_RequestDenied: Insufficient privileges to "
        f"complete the operation.); grant the app registration {permission}")


@pytest.mark.parametrize("kind", ["graph.revoke_sessions", "graph.disable_user",
                                  "graph.dismiss_risk"])
async def test_a_user_missing_from_the_directory_fails_with_that_sentence(actions, kind):
    with pytest.raises(Failed) as missing:
        await actions.launch(job(kind, {"user": "nobody@acme.example"}))
    assert str(missing.value) == ("nobody@acme.example does not exist in the customer's "
                                  "directory (Microsoft Graph 404)")


async def test_an_unknown_alert_fails_with_that_sentence(actions):
    with pytest.raises(Failed, match="security alert gone-1 does not exist in Microsoft Graph"):
        await actions.launch(job("graph.close_alert", {"alert": "gone-1"}))


@pytest.mark.parametrize("status, after", [(429, 200), (503, 300), (500, None)])
async def test_throttling_and_server_errors_retry_with_graphs_retry_after(actions, graph, status,
                                                                         after):
    # A Retry-After of 180 s or more is beyond what msgraph-sdk waits in line.
    graph.fail_next.append((status, after))
    with pytest.raises(Retry) as retry:
        await actions.launch(job("graph.revoke_sessions"))
    assert retry.value.after == after
    assert f"Microsoft Graph answered {status}" in str(retry.value)
    assert graph.revoked == []
    assert (await actions.launch(job("graph.revoke_sessions"))).state is State.SUCCEEDED


async def test_graph_unreachable_is_a_retry(http, graph):
    actions = GraphActions(http, f"{closed_port_url()}/v1.0", graph.base)
    with pytest.raises(Retry, match="Microsoft Graph could not be reached"):
        await actions.launch(job("graph.disable_user"))
    await actions.close()


async def test_refused_credentials_fail_without_showing_the_secret(actions, graph):
    wrong = AppRegistration(APP.aad_tenant, APP.client_id, "wr0ng-secret-value")
    with pytest.raises(Failed) as refused:
        await actions.launch(job("graph.revoke_sessions", app=wrong))
    assert "the app registration's credentials were refused" in str(refused.value)
    assert "wr0ng-secret-value" not in str(refused.value)
    assert graph.requests == []


async def test_an_unreachable_token_endpoint_is_a_retry(http, graph):
    actions = GraphActions(http, f"{graph.base}/v1.0", closed_port_url())
    with pytest.raises(Retry, match="token endpoint unreachable"):
        await actions.launch(job("graph.revoke_sessions"))
    await actions.close()


async def test_one_client_and_one_token_per_app_registration(actions, graph):
    await actions.launch(job("graph.disable_user"))
    await actions.launch(job("graph.enable_user"))
    other = AppRegistration("other-tenant", APP.client_id, APP.secret)
    await actions.launch(job("graph.revoke_sessions", app=other))
    assert [t["tenant"] for t in graph.token_requests] == [APP.aad_tenant, "other-tenant"]
    assert [r["authorization"] for r in graph.requests] == [
        "Bearer graph-token-1", "Bearer graph-token-1", "Bearer graph-token-2"]


async def test_a_job_without_its_target_or_app_registration_fails_with_a_sentence(actions):
    with pytest.raises(Failed, match="needs a `user` target, and ACME-142 has none"):
        await actions.launch(job("graph.revoke_sessions", {}))
    with pytest.raises(Failed, match="needs the tenant's Microsoft Entra app registration"):
        await actions.launch(job("graph.revoke_sessions", app=None))


async def test_graph_kinds_are_repeatable_and_done_at_once(actions):
    assert actions.repeatable == actions.kinds == {
        "graph.revoke_sessions", "graph.disable_user", "graph.enable_user",
        "graph.confirm_compromised", "graph.dismiss_risk", "graph.close_alert"}
    polled = await actions.poll(job("graph.disable_user", external_id="req-1"))
    assert (polled.state, polled.external_id) == (State.SUCCEEDED, "req-1")
