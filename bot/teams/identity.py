"""Who is acting in Teams: the AAD object id and UPN from the activity, then Graph.

Partner engineers in a shared channel are users of another Microsoft tenant, and
display names are free text anyone can set: a person is matched by AAD object id (as
configured) or by email (Graph's mail/userPrincipalName, or the UPN Teams sends),
never by name.
"""

from botbuilder.schema import ChannelAccount

from bot.teams.directory import Directory
from handlers.commands import Identity
from handlers.config import TandemConfig


def _upn(account: ChannelAccount) -> str | None:
    extra = getattr(account, "additional_properties", None) or {}
    upn = extra.get("userPrincipalName") or extra.get("email")
    return upn.strip().lower() if isinstance(upn, str) and "@" in upn else None


async def identify(cfg: TandemConfig, directory: Directory,
                   account: ChannelAccount | None) -> Identity:
    """The channel-neutral identity of a Teams user; `email` is set once they are known.

    Matched against the configuration (the source of truth the database mirrors), so a
    click costs no database round trip; only strangers cost a (cached) Graph look-up.
    """
    aad = account.aad_object_id if account else None
    if not aad:
        return Identity()
    configured = cfg.people_by.get(("teams", aad))
    if configured:
        return Identity("teams", aad, configured.email)
    upn = _upn(account)
    for email in [*await directory.emails(aad), *([upn] if upn else [])]:
        if cfg.person(email):
            return Identity("teams", aad, email.lower())
    return Identity("teams", aad)
