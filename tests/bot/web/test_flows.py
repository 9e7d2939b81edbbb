"""PKCE, return paths and spent states."""

import pytest

from bot.web.flows import FLOW_SECONDS, SpentStates, challenge_of, local_path, new_flow


def test_the_s256_challenge_is_rfc_7636s():
    assert challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")


def test_a_verifier_has_the_length_pkce_allows():
    assert 43 <= len(new_flow(None).verifier) <= 128


@pytest.mark.parametrize(("wanted", "path"), [
    ("/alerts?tab=mine", "/alerts?tab=mine"), (None, "/"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"),
    ("alerts", "/"), ("/" + "a" * 2000, "/"),
])
def test_only_a_local_path_is_returned_to(wanted, path):
    assert local_path(wanted) == path


def test_a_flow_expires():
    flow = new_flow("/", now=1000.0)
    assert not flow.expired(1000.0 + FLOW_SECONDS) and flow.expired(1001.0 + FLOW_SECONDS)
    assert flow.expired(999.0)


def test_a_state_is_spent_once_and_forgotten_after_its_flow_could_last():
    now = [0.0]
    spent = SpentStates(clock=lambda: now[0])
    assert spent.spend("a") and not spent.spend("a") and spent.spend("b")
    now[0] = FLOW_SECONDS + 1
    assert spent.spend("a")
