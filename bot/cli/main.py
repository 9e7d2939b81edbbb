"""The `tandem` command line."""

import asyncio
from pathlib import Path
from typing import Annotated, TypedDict

import typer

from bot import signing_key
from bot.cli import (
    alerts,
    audit,
    demo,
    digest,
    keys,
    oncall,
    outbox,
    remediation,
    report,
    send,
    silence,
    teams,
)
from bot.cli.support import echo, fail, one_line_failures, settings
from bot.config import ConfigError, load
from bot.published import Published
from handlers.evidence import KeyProblem
from storage import migrate
from storage.db import connect

app = typer.Typer(help="Tandem: co-managed IT alerts in Slack and Teams.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration file.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(alerts.app, name="alert")
app.add_typer(remediation.app, name="remediation")
app.add_typer(audit.app, name="audit")
app.add_typer(silence.app, name="silence")
app.add_typer(teams.app, name="teams")
app.add_typer(oncall.app, name="oncall")
app.add_typer(digest.app, name="digest")
app.add_typer(outbox.app, name="outbox")
app.add_typer(keys.app, name="keys")
alerts.app.command("send")(send.send)
app.command("demo")(demo.demo)
app.command("report")(report.report)


class _ServeOverrides(TypedDict, total=False):
    """The settings `tandem serve` takes from its options; unset ones keep their default."""

    host: str
    port: int


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default TANDEM_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default TANDEM_PORT or 8080.")] = None,
) -> None:
    """Run the HTTP server (intake, chat endpoints, health) and the scheduler."""
    from bot.server import CannotListen
    from bot.server import serve as run_server

    overrides: _ServeOverrides = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    found = settings(**overrides)
    with one_line_failures():
        try:
            signing_key.signer(found)  # a signing key that cannot be used stops the start
            run_server(found)
        except (CannotListen, KeyProblem) as error:
            fail(str(error))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration up to this release's schema."""
    found = settings()

    async def main() -> str | None:
        db = connect(found.database_url)
        try:
            async with migrate.one_at_a_time(db):  # with replicas starting, or other runs
                await migrate.upgrade(db)
            return await migrate.current_revision(db)
        finally:
            await db.dispose()

    with one_line_failures():
        revision = asyncio.run(main())
    echo(f"database at schema {revision}")


@config_app.command("check")
def config_check(path: Annotated[Path, typer.Argument(help="The YAML file.")]) -> None:
    """Validate a configuration file and name every problem by its place."""
    try:
        cfg = load(path)
    except ConfigError as error:
        typer.echo("\n".join(error.problems), err=True)
        fail(f"{len(error.problems)} problem(s) in {path}")
    channels = sum(len(t.channels) for t in cfg.tenants)
    echo(
        f"{path}: OK — {len(cfg.tenants)} tenants, {len(cfg.people)} people, "
        f"{channels} channels, {len(cfg.remediations)} remediations"
    )


@config_app.command("reload")
def config_reload() -> None:
    """Publish the file TANDEM_CONFIG names: every replica runs it within seconds. A file
    with problems is refused, each one named, and the configuration in force stays."""
    from bot.reload import publish_file
    from bot.runtime import prepare

    found = settings()

    async def main() -> Published:
        db = connect(found.database_url)
        try:
            async with migrate.one_at_a_time(db):
                await prepare(db)
            return await publish_file(db, found.config, "cli")
        finally:
            await db.dispose()

    with one_line_failures():
        try:
            done = asyncio.run(main())
        except ConfigError as error:
            typer.echo("\n".join(error.problems), err=True)
            fail(f"{len(error.problems)} problem(s) in {found.config}; nothing was published")
    if done.new:
        echo(f"configuration version {done.version} published from {found.config}")
    else:
        echo(f"configuration unchanged: version {done.version} is in force")


def main() -> None:
    app()
