"""Slack's v0 request signature, computed the way Slack computes it."""

import hashlib
import hmac
import time

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: str, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """Headers for a request body signed at `at` (default now)."""
    stamp = str(int(time.time()) if at is None else at)
    base = f"v0:{stamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
