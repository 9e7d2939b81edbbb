"""One sign-in attempt through the OpenID provider: its `state`, `nonce` and PKCE
verifier, made when the browser is sent to the provider and checked when it comes back.

The attempt rides in the browser's signed session cookie (bot/web/sessions.py), so the
callback may land on any replica; a `state` that came back once is remembered here as
spent until the attempt would have expired, so a replayed callback is refused. (On
another replica the provider's single-use code refuses the replay.)
"""

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

FLOW_SECONDS = 600  # from leaving for the provider to coming back
MAX_PATH = 1024  # a longer return path would not fit in the session cookie


@dataclass(frozen=True)
class Flow:
    state: str
    nonce: str
    verifier: str  # PKCE code_verifier; the provider gets its S256 challenge
    next: str  # the console path to return to
    started: float  # unix time

    @property
    def challenge(self) -> str:
        return challenge_of(self.verifier)

    def expired(self, now: float) -> bool:
        return not 0 <= now - self.started <= FLOW_SECONDS


def challenge_of(verifier: str) -> str:
    """PKCE's S256 code_challenge: the verifier's SHA-256, base64url without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def local_path(wanted: str | None) -> str:
    """`wanted` if it is a path on this site, else "/": a sign-in never sends the
    browser to another site afterwards."""
    if not wanted or len(wanted) > MAX_PATH or "\\" in wanted:
        return "/"
    return wanted if wanted.startswith("/") and not wanted.startswith("//") else "/"


def new_flow(next_path: str | None, now: float | None = None) -> Flow:
    return Flow(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                verifier=secrets.token_urlsafe(64), next=local_path(next_path),
                started=time.time() if now is None else now)


class SpentStates:
    """States that came back already, each kept for as long as its attempt could last."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._until: dict[str, float] = {}
        self._clock = clock

    def spend(self, state: str) -> bool:
        """Mark `state` spent; False when it already was."""
        now = self._clock()
        self._until = {s: t for s, t in self._until.items() if t > now}
        if state in self._until:
            return False
        self._until[state] = now + FLOW_SECONDS
        return True
