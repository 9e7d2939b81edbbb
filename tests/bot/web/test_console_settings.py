"""What the console makes of its environment settings, problems said in one sentence."""

import logging

import pytest

from bot.config import Settings
from bot.web.console_settings import console_settings

PROVIDER = {"oidc_issuer": "https://login.microsoftonline.com/t/v2.0",
            "oidc_client_id": "app-id", "oidc_client_secret": "s",
            "public_url": "https://tandem.acme.example/", "session_secret": "k"}


def settings(**changes) -> Settings:
    return Settings(**(PROVIDER | changes))


def test_a_configured_provider_redirects_back_to_the_public_url():
    console = console_settings(settings())
    assert console.problem is None and console.oidc is not None
    assert console.oidc.redirect_uri == "https://tandem.acme.example/auth/callback"
    assert console.oidc.discovery_url == ("https://login.microsoftonline.com/t/v2.0"
                                          "/.well-known/openid-configuration")
    assert console.origin == "https://tandem.acme.example" and console.secure


def test_the_environment_names_the_settings(monkeypatch):
    for name, value in {"TANDEM_OIDC_ISSUER": "https://idp.example", "TANDEM_DEMO": "true",
                        "TANDEM_OIDC_CLIENT_ID": "c", "TANDEM_PUBLIC_URL": "http://x:1",
                        "TANDEM_SESSION_SECRET": "k"}.items():
        monkeypatch.setenv(name, value)
    console = console_settings(Settings())
    assert console.oidc and console.oidc.client_secret is None and console.demo
    assert console.origin == "http://x:1" and not console.secure


@pytest.mark.parametrize(("changes", "problem"), [
    ({"oidc_client_id": None}, "TANDEM_OIDC_CLIENT_ID missing"),
    ({"public_url": None}, "TANDEM_PUBLIC_URL missing"),
    ({"oidc_issuer": "http://idp.example"}, "TANDEM_OIDC_ISSUER must be an https address"),
])
def test_a_half_configured_provider_is_said_and_logged(changes, problem, caplog):
    with caplog.at_level(logging.ERROR, "tandem"):
        console = console_settings(settings(**changes))
    assert console.oidc is None and console.problem
    assert console.problem.startswith("Sign-in is not configured: ") and problem in console.problem
    assert problem in caplog.text


def test_an_http_issuer_is_allowed_on_loopback():
    assert console_settings(settings(oidc_issuer="http://127.0.0.1:9000/t")).oidc


def test_an_unreadable_secret_file_is_said(tmp_path):
    console = console_settings(settings(oidc_client_secret=None,
                                        oidc_client_secret_file=tmp_path / "absent"))
    assert console.oidc is None and "TANDEM_OIDC_CLIENT_SECRET_FILE" in str(console.problem)
    assert "No such file or directory" in str(console.problem)


def test_without_a_session_secret_a_random_one_is_made_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, "tandem"):
        first = console_settings(settings(session_secret=None))
        second = console_settings(settings(session_secret=None))
    assert first.session_secret != second.session_secret and len(first.session_secret) >= 32
    assert "TANDEM_SESSION_SECRET is not set" in caplog.text


def test_a_demo_makes_its_own_session_secret_quietly(caplog):
    with caplog.at_level(logging.WARNING, "tandem"):
        console = console_settings(settings(session_secret=None, demo=True))
    assert len(console.session_secret) >= 32 and "TANDEM_SESSION_SECRET" not in caplog.text
