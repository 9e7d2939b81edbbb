"""The web console: OpenID Connect sign-in, sessions, CSRF and the gate over its pages:
the alert board (board.py), an alert's page and its actions (alerts.py), on-call,
silences and the monthly report (oncall.py, silences.py, reports.py), and the live
stream that keeps them fresh (live.py).

Pages take the signed-in person from `web_user(request)` (a WebUser: email, name,
side, roles, tenants, csrf, actor, identity) and put `csrf_token(request)` in every form
that changes something; they render with `render()` from templates that extend
base.html. bot/app.py calls `install`.
"""

from bot.web.pages import render
from bot.web.routes import install
from bot.web.user import WebUser, csrf_token, web_user

__all__ = ["WebUser", "csrf_token", "install", "render", "web_user"]
