"""Matching a verified id_token's claims to a configured person, pinned as chat pins."""

import pytest

from bot.web.people import person_of, verified_email
from bot.web.provider import Refused


@pytest.mark.parametrize(("claims", "email"), [
    ({"email": "Sam@Acme.example"}, "sam@acme.example"),
    ({"email": "sam@acme.example", "email_verified": True}, "sam@acme.example"),
    ({"email": "sam@acme.example", "email_verified": False}, None),
    ({"email": "x@a.example", "email_verified": False, "preferred_username": "ivy@acme.example"},
     "ivy@acme.example"),
    ({"preferred_username": "ivy"}, None),
    ({"email": 42}, None),
    ({"email": "a@" + "b" * 400}, None),
])
def test_the_verified_email(claims, email):
    assert verified_email(claims) == email


def test_the_object_id_wins_over_the_email(cfg):
    assert person_of(cfg, {"oid": "aad-sam", "email": "ivy@acme.example"}).email == (
        "sam@acme.example")


def test_an_email_finds_a_person_with_no_object_id_configured(cfg):
    actor = person_of(cfg, {"oid": "aad-lee-directory", "email": "lee@acme.example"})
    assert actor.email == "lee@acme.example" and actor.tenants == {"acme"}


def test_a_pinned_person_is_not_found_by_email_from_another_account(cfg):
    with pytest.raises(Refused, match="not the one configured for sam@acme.example"):
        person_of(cfg, {"oid": "aad-other", "email": "sam@acme.example"})


def test_without_an_object_id_the_email_is_enough(cfg):
    """A provider other than Entra: no object id to pin against."""
    assert person_of(cfg, {"email": "sam@acme.example"}).email == "sam@acme.example"


def test_nobody_is_refused(cfg):
    with pytest.raises(Refused, match="Tandem does not know object id aad-x"):
        person_of(cfg, {"oid": "aad-x"})
