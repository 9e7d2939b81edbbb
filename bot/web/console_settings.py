"""What the console takes from the process settings: where browsers reach it, the OpenID
Connect client it signs people in with (or why there is none), the key that signs its
session cookies, and whether demo mode's "sign in as" is open.

Read once when the app is built; a problem (a half-configured provider, an unreadable
secret file) is logged and said by /auth/signin instead of stopping the server, which
still has its intake and chat endpoints to serve.
"""

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import Settings

log = logging.getLogger("tandem")

HOW = ("set TANDEM_OIDC_ISSUER, TANDEM_OIDC_CLIENT_ID, TANDEM_OIDC_CLIENT_SECRET (or "
       "TANDEM_OIDC_CLIENT_SECRET_FILE) and TANDEM_PUBLIC_URL, then restart Tandem")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class OidcClient:
    """Tandem as a client of one OpenID provider."""

    issuer: str
    client_id: str
    client_secret: str | None  # None: a public client, PKCE alone
    redirect_uri: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


@dataclass(frozen=True)
class ConsoleSettings:
    oidc: OidcClient | None
    problem: str | None  # why sign-in is not configured, as one sentence for a page
    origin: str | None  # scheme://host[:port] of TANDEM_PUBLIC_URL
    secure: bool  # cookies only over https
    session_secret: str
    demo: bool


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _issuer(url: str) -> str | None:
    """The problem with TANDEM_OIDC_ISSUER, if any: tokens and secrets travel to it."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return None
    return f"TANDEM_OIDC_ISSUER must be an https address (http only on loopback), not {url!r}"


def _secret(settings: Settings) -> tuple[str | None, str | None]:
    """The client secret, and the problem reading it, if any."""
    if settings.oidc_client_secret is not None:
        return settings.oidc_client_secret.get_secret_value(), None
    path = settings.oidc_client_secret_file
    if path is None:
        return None, None
    try:
        return path.read_text(encoding="utf-8").strip() or None, None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        return None, f"TANDEM_OIDC_CLIENT_SECRET_FILE ({path}) cannot be read: {reason}"


def _oidc(settings: Settings) -> tuple[OidcClient | None, str | None]:
    named = {"TANDEM_OIDC_ISSUER": settings.oidc_issuer,
             "TANDEM_OIDC_CLIENT_ID": settings.oidc_client_id,
             "TANDEM_PUBLIC_URL": settings.public_url}
    if not settings.oidc_issuer and not settings.oidc_client_id:
        return None, f"Sign-in is not configured: {HOW}."
    missing = [name for name, value in named.items() if not value]
    if missing:
        return None, f"Sign-in is not configured: {' and '.join(missing)} missing; {HOW}."
    secret, unreadable = _secret(settings)
    problem = unreadable or _issuer(str(settings.oidc_issuer))
    if problem:
        return None, f"Sign-in is not configured: {problem}."
    public = str(settings.public_url).rstrip("/")
    return OidcClient(str(settings.oidc_issuer), str(settings.oidc_client_id), secret,
                      f"{public}/auth/callback"), None


def _session_secret(settings: Settings) -> str:
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    if settings.demo:  # one throwaway process: a key of its own is what it needs
        return secrets.token_urlsafe(32)
    log.warning("TANDEM_SESSION_SECRET is not set: console sessions are signed with a "
                "random key made at start-up, so they end when this process stops and "
                "other replicas do not accept them")
    return secrets.token_urlsafe(32)


def console_settings(settings: Settings) -> ConsoleSettings:
    oidc, problem = _oidc(settings)
    if problem and (settings.oidc_issuer or settings.oidc_client_id):
        log.error("web console: %s", problem)
    # Settings has checked TANDEM_PUBLIC_URL is an http(s) address.
    origin = _origin(settings.public_url) if settings.public_url else None
    return ConsoleSettings(oidc=oidc, problem=problem, origin=origin,
                           secure=bool(origin and origin.startswith("https:")),
                           session_secret=_session_secret(settings), demo=settings.demo)
