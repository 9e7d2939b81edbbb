"""Demo mode's "sign in as": /auth/as lists the configured people and signs the browser
in as the one chosen, without a provider. Outside demo mode (TANDEM_DEMO unset) both
routes refuse, so a deployment never offers it."""

from aiohttp import web

from bot.web.console import console_of
from bot.web.flows import local_path
from bot.web.pages import notice, render
from bot.web.sessions import new_session

ONLY_IN_DEMO = "Signing in as someone else exists only in demo mode (tandem demo)."


async def picker(request: web.Request) -> web.Response:
    console = console_of(request)
    if not console.settings.demo:
        return notice("Not found", ONLY_IN_DEMO, 404)
    existing = console.sessions.read(request)
    session = existing or new_session()
    people = sorted(console.runtime.cfg.people, key=lambda p: (p.side.value, p.name))
    response = render("picker.html", people=people, csrf=session.csrf,
                      next=local_path(request.query.get("next")))
    if existing is None:
        console.sessions.write(response, session)
    return response


async def sign_in_as(request: web.Request) -> web.Response:
    """Signs in as the person chosen (the guard checked the CSRF token)."""
    console = console_of(request)
    if not console.settings.demo:
        return notice("Refused", ONLY_IN_DEMO, 403)
    form = await request.post()
    email = form.get("email")
    person = console.runtime.cfg.person(email) if isinstance(email, str) else None
    if person is None:
        return notice("Refused", "That person is not in the configuration; choose one "
                      "from the list.", 403, link=("/auth/as", "Back to the list"))
    next_path = form.get("next")
    response = web.HTTPFound(local_path(next_path if isinstance(next_path, str) else None))
    console.sessions.write(response, new_session(email=person.email))
    raise response
