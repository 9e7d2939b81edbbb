"""Who signed in: the verified id_token's Microsoft Entra object id (`oid`) or email,
to a configured person, pinned as chat pins (handlers.people).

An Entra object id is the key of a person's Teams account, so a token carrying one is
matched as a Teams click is: the person configured with that object id, or else the
person with the token's email, unless that person has an object id configured, which
then pins them: another account showing their email is refused. Without an `oid` (a
provider other than Entra) the email alone identifies the person.
"""

from typing import Any

from bot.web.provider import Refused
from handlers.commands import Identity
from handlers.config import TandemConfig
from handlers.people import Actor, resolve

OBJECT_ID = "teams"  # the platform whose account key is the Entra object id


def _address(value: object) -> str | None:
    if isinstance(value, str) and "@" in value and len(value) <= 320:
        return value.strip().lower()
    return None


def verified_email(claims: dict[str, Any]) -> str | None:
    """`email` unless the provider says it is unverified, else `preferred_username`
    (Entra's sign-in name) when it is an address."""
    email = _address(claims.get("email"))
    if email and claims.get("email_verified", True) is not False:
        return email
    return _address(claims.get("preferred_username"))


def identity_of(claims: dict[str, Any]) -> Identity:
    oid = claims.get("oid")
    email = verified_email(claims)
    if isinstance(oid, str) and oid:
        return Identity(OBJECT_ID, oid, email)
    return Identity(email=email)


def person_of(cfg: TandemConfig, claims: dict[str, Any]) -> Actor:
    """The configured person the token is; Refused, saying why, when it is nobody."""
    who = identity_of(claims)
    actor = resolve(cfg, who)
    if actor is not None:
        return actor
    if who.email and cfg.person(who.email):
        raise Refused(f"This account (object id {who.key}) is not the one configured for "
                      f"{who.email}, so Tandem does not sign it in; ask an admin if your "
                      "account changed.")
    named = who.email or (f"object id {who.key}" if who.key else "this account")
    raise Refused(f"Tandem does not know {named}: ask an admin to add you to the people "
                  "section of Tandem's configuration.")
