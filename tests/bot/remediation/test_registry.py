"""Which executor carries out each action kind, and the Defender URL setting."""

import pytest

from bot.config import Settings
from bot.remediation.registry import build_executors

KINDS = {"graph.revoke_sessions", "graph.disable_user", "graph.enable_user",
         "graph.confirm_compromised", "graph.dismiss_risk", "graph.close_alert",
         "defender.isolate", "defender.release", "defender.scan", "webhook", "awx.launch",
         "azure_automation.webhook"}


@pytest.fixture
async def executors(http, sqlite_db):
    built = build_executors(http, sqlite_db, graph_url="http://127.0.0.1:9/v1.0",
                            login_url="http://127.0.0.1:9", defender_url="http://127.0.0.1:9")
    yield built
    await built.close()


async def test_every_kind_but_manual_has_one_executor(executors):
    assert executors.kinds == KINDS
    for kind in KINDS:
        assert kind in executors.for_kind(kind).kinds
    assert executors.for_kind("defender.scan") is executors.defender
    with pytest.raises(KeyError, match="manual"):
        executors.for_kind("manual")


async def test_only_azure_automation_is_not_repeatable(executors):
    repeatable = set().union(*(e.repeatable for e in executors.all))
    assert KINDS - repeatable == {"azure_automation.webhook"}


def test_the_defender_url_comes_from_tandem_defender_url(monkeypatch):
    monkeypatch.delenv("TANDEM_DEFENDER_URL", raising=False)
    assert Settings().defender_url == "https://api.securitycenter.microsoft.com"
    monkeypatch.setenv("TANDEM_DEFENDER_URL", "http://127.0.0.1:8443")
    assert Settings().defender_url == "http://127.0.0.1:8443"
