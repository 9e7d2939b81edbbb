"""Who is acting: configured people resolved from a channel identity."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.commands import Identity
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


def person_view(person: Person) -> PersonView:
    return PersonView(person.email, person.name, Side(person.side))


async def _find(session: AsyncSession, who: Identity) -> Person | None:
    if who.slack_team and who.slack_user:
        found = await queries.person_by_slack(session, who.slack_team, who.slack_user)
        if found:
            return found
    if who.teams_aad_id:
        found = await queries.person_by_teams(session, who.teams_aad_id)
        if found:
            return found
    if who.email:
        return await queries.person_by_email(session, who.email)
    return None


async def resolve(session: AsyncSession, who: Identity) -> Actor | None:
    """The configured person behind `who`, or None when nobody matches."""
    person = await _find(session, who)
    if person is None:
        return None
    return Actor(
        email=person.email,
        name=person.name,
        side=Side(person.side),
        roles=frozenset(Role(r) for r in person.roles.split(",") if r),
        tenants=frozenset(await queries.tenants_of(session, person.email)),
    )


def not_known(who: Identity) -> str:
    return (
        f"Tandem does not know {who.describe()}. Ask an admin to add you to the people "
        "section of Tandem's configuration, with your email and chat identity."
    )
