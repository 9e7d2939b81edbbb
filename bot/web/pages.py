"""Server-rendered pages: Jinja2 templates in bot/web/templates, every value escaped
for HTML (autoescape), served with headers that keep them out of frames and caches.

Sign-in's pages extend `base.html` (its blocks: title, main); a signed-in person's
pages extend `layout.html` (the sections, who is signed in, the message area; blocks
title and content). All render with `render("name.html", status, **values)`; each
form that changes something gets its own idempotency key from `new_key()`. The
Content-Security-Policy allows scripts and styles from /static only: no inline script
or style attribute.
"""

import secrets
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web.formatting import FILTERS

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_env.filters.update(FILTERS)
# A fresh idempotency key for each form a page shows: sending it twice changes once.
_env.globals["new_key"] = lambda: secrets.token_urlsafe(16)


def render(template: str, status: int = 200, **values: Any) -> web.Response:
    body = _env.get_template(template).render(**values)
    return web.Response(text=body, status=status, content_type="text/html", headers=HEADERS)


def notice(title: str, sentence: str, status: int, *, link: tuple[str, str] | None = None
           ) -> web.Response:
    """A page that says one thing: a refusal, a problem, that you are signed out.
    `link` is (path, label) of where to go next."""
    return render("notice.html", status, title=title, sentence=sentence, link=link)


def wants_html(request: web.BaseRequest) -> bool:
    """Whether the request comes from a browser page rather than a script or a client."""
    return "text/html" in request.headers.get("Accept", "")


def says(request: web.BaseRequest, title: str, sentence: str, status: int) -> web.Response:
    """One sentence: a page for a browser, plain text for anything else."""
    if wants_html(request):
        return notice(title, sentence, status)
    return web.Response(text=sentence, status=status, headers={"Cache-Control": "no-store"})
