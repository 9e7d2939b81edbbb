"""Who is acting: configured people resolved from a channel identity."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands import Identity
from handlers.config import Person as ConfigPerson
from handlers.config import TandemConfig
from handlers.enums import Role, Side
from handlers.views import PersonView
from storage import queries
from storage.models import Person


@dataclass(frozen=True)
class Actor:
    email: str
    name: str
    side: Side
    roles: frozenset[Role]
    tenants: frozenset[str]

    @property
    def view(self) -> PersonView:
        return PersonView(self.email, self.name, self.side)

    def has(self, role: Role) -> bool:
        return role in self.roles


def person_view(person: Person | ConfigPerson) -> PersonView:
    return PersonView(person.email, person.name, Side(person.side))


async def view_of(session: AsyncSession, cfg: TandemConfig, email: str) -> PersonView | None:
    """A person's name and side: from the configuration, or from the stored copy of
    someone who has since left it (their alerts still show who owned them)."""
    person = cfg.people_by.get(("email", email)) or await queries.person_by_email(session, email)
    return person_view(person) if person else None


def _keys(who: Identity) -> list[tuple[str, ...]]:
    """Ways to find the person behind `who`, most specific first."""
    found = []
    if who.slack_team and who.slack_user:
        found.append(("slack", who.slack_team, who.slack_user))
    if who.teams_aad_id:
        found.append(("teams", who.teams_aad_id))
    if who.email:
        found.append(("email", who.email.lower()))
    return found


def resolve(cfg: TandemConfig, who: Identity) -> Actor | None:
    """The configured person behind `who`, or None when nobody matches. People come
    from the configuration only (the database keeps a copy for its references)."""
    person = next((p for key in _keys(who) if (p := cfg.people_by.get(key))), None)
    if person is None:
        return None
    return Actor(
        email=person.email,
        name=person.name,
        side=person.side,
        roles=frozenset(person.roles),
        tenants=frozenset(person.tenants),
    )


def not_known(who: Identity) -> str:
    return (
        f"Tandem does not know {who.describe()}. Ask an admin to add you to the people "
        "section of Tandem's configuration, with your email and chat identity."
    )
