"""Who is acting: configured people resolved from a chat identity. (The operator, who
reads every tenant, is handlers.people.operator: only the command line imports it.)"""

from handlers.people.resolve import Actor, resolve

__all__ = ["Actor", "resolve"]
