"""The remediation catalogue in the configuration: every problem named by its place."""

import pytest

from tests.handlers.config.samples import problems

REVOKE = {"id": "revoke-sessions", "title": "Revoke", "action": "graph.revoke_sessions",
          "target": {"user": "{labels.user}"}}


def fixes(*entries: dict) -> list[str]:
    return problems(remediations=list(entries))


def test_a_complete_catalogue_has_no_problems():
    assert fixes(REVOKE, {"id": "block-ip", "title": "Block", "action": "manual"},
                 {"id": "hook", "title": "Hook", "action": "webhook", "url_env": "U",
                  "secret_env": "S"}) == []


@pytest.mark.parametrize(("entry", "expected"), [
    (REVOKE | {"action": "graph.revoke_everything"},
     "remediations[0].action: must be graph.revoke_sessions, graph.disable_user, "
     "graph.enable_user, graph.confirm_compromised, graph.dismiss_risk, defender.isolate, "
     "defender.release, defender.scan, webhook, awx.launch, azure_automation.webhook or manual"),
    (REVOKE | {"target": {}},
     "remediations[0].target.user: graph.revoke_sessions needs a binding for 'user' "
     "(e.g. user: \"{labels.user}\")"),
    ({"id": "hook", "title": "Hook", "action": "webhook", "url_env": "U"},
     "remediations[0].secret_env: is required for webhook (the environment variable that "
     "holds it)"),
    ({"id": "play", "title": "Play", "action": "awx.launch", "url_env": "U", "token_env": "T"},
     "remediations[0].job_template: is required for awx.launch (the template's id)"),
    (REVOKE | {"target": {"user": "{labels.user} on {host}"}},
     "remediations[0].target.user: {host} is not something an alert has (use labels.NAME, "
     "service, source, short_id or title)"),
    (REVOKE | {"undo": "enable-user"}, "remediations[0].undo: unknown fix 'enable-user'"),
])
def test_each_problem_is_named_by_its_place(entry, expected):
    assert fixes(entry) == [expected]


def test_a_tenant_may_only_name_known_fixes_for_its_partner():
    def change(data):
        data["tenants"][0]["remediation"] = {"partner_may_approve": ["revoke-sessions", "nope"]}
    found = problems(change, remediations=[REVOKE])
    assert found == ["tenants[0].remediation.partner_may_approve[1]: unknown fix 'nope'"]
