"""Shared plumbing for CLI commands: run async code, print errors without tracebacks."""

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings
from bot.runtime import Runtime, SchemaOutdated, open_runtime

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def run(body: Callable[[Runtime], Awaitable[T]]) -> T:
    """Open the runtime, run `body`, close; known failures become one clear line."""

    async def main() -> T:
        runtime = await open_runtime(Settings())
        try:
            return await body(runtime)
        finally:
            await runtime.close()

    with one_line_failures():
        return asyncio.run(main())


@contextmanager
def one_line_failures() -> Iterator[None]:
    """A bad configuration, an outdated schema or an unreachable database ends the
    command with one line on stderr and exit 1, never a traceback."""
    try:
        yield
    except ConfigError as error:
        fail("\n".join([f"configuration {error.path} is not usable:", *error.problems]))
    except SchemaOutdated as error:
        fail(str(error))
    except BrokenPipeError:
        raise  # the reader left (`tandem audit export | head`); click exits quietly
    except (SQLAlchemyError, OSError) as error:
        unavailable(error)


def unavailable(error: Exception) -> NoReturn:
    fail(f"database unavailable: {type(error).__name__}: {str(error).splitlines()[0]}")


def echo(text: str) -> None:
    sys.stdout.write(text + "\n")
