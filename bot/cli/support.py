"""Shared plumbing for CLI commands: run async code, print errors without tracebacks."""

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings
from bot.logs import configure as configure_logs
from bot.runtime import Runtime, SchemaOutdated, open_runtime
from cards.escape import terminal
from storage.db import UnknownDatabase

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {terminal(message)}", err=True)
    raise typer.Exit(code)


def settings(**overrides: Any) -> Settings:
    """The process settings; a bad value ends the command with one line per setting,
    named as it is set (TANDEM_PORT: ...), never a traceback."""
    try:
        found = Settings(**overrides)
    except ValidationError as error:
        fail("\n".join(_problem(e["loc"], e["msg"], e["input"]) for e in error.errors()))
    configure_logs(found.log_format, logging.WARNING)  # `tandem serve` lowers it to INFO
    return found


def _problem(loc: tuple[int | str, ...], message: str, given: object) -> str:
    """One bad setting, named as it is set; its value is shown unless it may hold a
    secret (a password, token or a URL with credentials)."""
    name = str(loc[0]) if loc else "setting"
    name = name if name.isupper() else f"TANDEM_{name.upper()}"
    secret = any(word in name for word in ("PASSWORD", "SECRET", "TOKEN", "URL"))
    return f"{name}: {message}" + ("" if secret else f" (got {given!r})")


def run(body: Callable[[Runtime], Awaitable[T]]) -> T:
    """Open the runtime, run `body`, close; known failures become one clear line."""

    async def main() -> T:
        runtime = await open_runtime(settings())
        try:
            return await body(runtime)
        finally:
            await runtime.close()

    with one_line_failures():
        return asyncio.run(main())


@contextmanager
def one_line_failures() -> Iterator[None]:
    """A bad configuration, an outdated schema, a database URL of an unknown kind or an
    unreachable database ends the command with one line on stderr and exit 1, never a
    traceback."""
    try:
        yield
    except ConfigError as error:
        fail(_unusable(error))
    except SchemaOutdated as error:
        fail(str(error))
    except UnknownDatabase as error:
        fail(f"TANDEM_DATABASE_URL: {error}")
    except BrokenPipeError:
        raise  # the reader left (`tandem audit export | head`); click exits quietly
    except (SQLAlchemyError, OSError) as error:
        unavailable(error)


def _unusable(error: ConfigError) -> str:
    """One line for one problem (a missing file, bad YAML); one line per problem under a
    heading for several."""
    heading = f"configuration {error.path} is not usable:"
    if len(error.problems) == 1:
        return f"{heading} {error.problems[0]}"
    return "\n".join([heading, *error.problems])


def unavailable(error: Exception) -> NoReturn:
    fail(f"database unavailable: {type(error).__name__}: {str(error).splitlines()[0]}")


def echo(text: str) -> None:
    """Write `text` and a newline; a control character in it (from a title, a name, a
    platform's answer) is shown escaped rather than acted on by the terminal."""
    sys.stdout.write(terminal(text) + "\n")
