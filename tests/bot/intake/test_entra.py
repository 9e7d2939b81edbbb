"""Azure Monitor's secure webhook: a Microsoft Entra ID token (RS256, signed by a key of
the tenant's JWKS served by a fake Entra on loopback) is accepted for the azure-monitor
integration whose `entra` names its tenant and audience; any other token is a 401 that
says why."""

import pytest
from pydantic import ValidationError

from bot.config import Settings, load
from bot.runtime import Runtime
from fakes.botframework.identity import new_key
from fakes.entra import FakeEntra
from handlers.config.schema import Integration
from tests.bot.intake.conftest import TOKENS, payload, start
from tests.bot.intake.test_formats import alerts
from tests.conftest import DATA

TENANT, AUDIENCE = "0b7c8e2a-1111-4d5e-9f00-acme00000001", "api://tandem-azure-monitor"
ROUTE = "/v1/integrations/azure-monitor"


@pytest.fixture
async def entra():
    fake = await FakeEntra().start()
    yield fake
    await fake.close()


@pytest.fixture
async def client(db, tmp_path, tokens, entra):
    text = (DATA / "config.yaml").read_text().replace(
        "token_env: TANDEM_TEST_ACME_AZURE}",
        f"token_env: TANDEM_TEST_ACME_AZURE, entra: {{tenant_id: {TENANT}, "
        f"audience: '{AUDIENCE}'}}}}")
    (tmp_path / "entra.yaml").write_text(text)
    cfg = load(tmp_path / "entra.yaml")
    server, session, api = await start(Runtime(Settings(entra_login_url=entra.url), cfg, db))
    yield api
    await session.close()
    await server.close()


@pytest.mark.parametrize("issuer", [None, f"https://login.microsoftonline.com/{TENANT}/v2.0"])
async def test_a_token_of_the_configured_tenant_and_audience_is_accepted(
        client, db, entra, issuer):
    token = entra.mint(TENANT, AUDIENCE, issuer=issuer)
    status, body, _ = await client.post(ROUTE, payload("azure_monitor_fired"), token=token)
    assert status == 202 and body["alerts"][0]["effect"] == "created", body
    assert [a.source for a in await alerts(db)] == ["azure-monitor"]
    # The static secret still works beside it.
    again = await client.post(ROUTE, payload("azure_monitor_resolved"),
                              token=TOKENS["TANDEM_TEST_ACME_AZURE"])
    assert again[0] == 202


@pytest.mark.parametrize(("mint", "reason"), [
    (lambda e: e.mint(TENANT, "api://someone-else"),
     "Microsoft Entra ID token audience is not api://tandem-azure-monitor"),
    (lambda e: e.mint(TENANT, AUDIENCE, issuer="https://evil.example/"),
     "Microsoft Entra ID token issuer is not Microsoft Entra ID of its tenant"),
    (lambda e: e.mint(TENANT, AUDIENCE, lifetime=-3600),
     "Microsoft Entra ID token expired"),
    (lambda e: e.mint(TENANT, AUDIENCE, key=new_key()),
     "Microsoft Entra ID token signature does not verify"),
    (lambda e: e.mint("9d9d9d9d-2222-4d5e-9f00-other0000002", AUDIENCE),
     "Microsoft Entra ID token is of a Microsoft Entra tenant no integration names"),
    (lambda e: e.mint(TENANT, AUDIENCE, kid="withdrawn"),
     "Microsoft Entra ID token signed with a key its tenant does not publish"),
])
async def test_any_other_token_is_refused_saying_why(client, db, entra, mint, reason):
    status, body, _ = await client.post(ROUTE, payload("azure_monitor_fired"), token=mint(entra))
    assert (status, body) == (401, {"error": reason})
    assert await alerts(db) == []


async def test_only_azure_monitor_takes_an_entra_token(client, entra):
    token = entra.mint(TENANT, AUDIENCE)
    status, _, _ = await client.post("/v1/alerts", {"title": "x", "severity": "low"}, token=token)
    assert status == 401


def test_entra_is_only_for_azure_monitor():
    entra = {"tenant_id": TENANT, "audience": AUDIENCE}
    assert Integration(id="a", kind="azure-monitor", entra=entra).entra is not None
    with pytest.raises(ValidationError, match="entra: is only for an azure-monitor integration"):
        Integration(id="n", kind="native", token_env="X", entra=entra)
