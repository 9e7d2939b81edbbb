"""Who is acting: configured people resolved from a channel identity."""

from dataclasses import dataclass

from handlers.commands import Identity
from handlers.config.schema import Person as ConfigPerson
from handlers.config.schema import TandemConfig
from handlers.enums import Role, Side
from handlers.views import PersonView
from storage import queries
from storage.models import Person
from storage.unit import Session


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


async def view_of(session: Session, cfg: TandemConfig, email: str) -> PersonView | None:
    """A person's name and side: from the configuration, or from the stored copy of
    someone who has since left it (their alerts still show who owned them)."""
    person = cfg.person(email) or await queries.person_by_email(session, email)
    return person_view(person) if person else None


def _pinned(person: ConfigPerson, who: Identity) -> bool:
    """Whether `person` has a configured account on the platform `who` comes from: then
    only that account is them, and an email match from another account is not."""
    return bool(who.platform and who.key and person.account(who.platform))


def _person(cfg: TandemConfig, who: Identity) -> ConfigPerson | None:
    """The configured person behind `who`: by chat account, then by email for people
    with no account configured on that platform."""
    if who.platform and who.key and (found := cfg.people_by.get((who.platform, who.key))):
        return found
    by_email = cfg.person(who.email)
    return None if by_email is None or _pinned(by_email, who) else by_email


def resolve(cfg: TandemConfig, who: Identity) -> Actor | None:
    """The configured person behind `who`, or None when nobody matches. People come
    from the configuration only (the database keeps a copy for its references)."""
    person = _person(cfg, who)
    return actor_of(person) if person else None


def actor_of(person: ConfigPerson) -> Actor:
    """A configured person as the one acting: the only place an Actor is built."""
    return Actor(
        email=person.email,
        name=person.name,
        side=person.side,
        roles=frozenset(person.roles),
        tenants=frozenset(person.tenants),
    )


def impostor_of(cfg: TandemConfig, who: Identity) -> str | None:
    """The email of the configured person whose address `who` carries but whose pinned
    chat identity `who` is not (an account of another workspace or directory)."""
    person = cfg.person(who.email)
    if person is None or _person(cfg, who) is not None or not _pinned(person, who):
        return None
    return person.email


def not_known(who: Identity, cfg: TandemConfig | None = None) -> str:
    pinned = impostor_of(cfg, who) if cfg else None
    if pinned:
        return (
            f"This chat account ({who.platform_key()}) is not the one configured for "
            f"{pinned}, so Tandem does not act for it. Ask an admin if your account changed."
        )
    return (
        f"Tandem does not know {who.describe()}. Ask an admin to add you to the people "
        "section of Tandem's configuration, with your email and chat identity."
    )
