"""`tandem teams package`: the zip to upload to Microsoft Teams, with the bot's app id in it."""

import json
import re
import zipfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.support import echo, fail

app = typer.Typer(help="Microsoft Teams app.", no_args_is_help=True)
SOURCE = Path(__file__).resolve().parents[2] / "infra" / "teams"
FILES = ("manifest.json", "color.png", "outline.png")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
DOMAIN = re.compile(r"^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,}$")


def manifest_for(template: dict, app_id: str, domain: str | None = None) -> dict:
    """The manifest with the bot's Microsoft App ID (and, if given, Tandem's host name)."""
    manifest = json.loads(json.dumps(template))
    manifest["id"] = app_id
    for bot in manifest["bots"]:
        bot["botId"] = app_id
    host = domain or manifest["validDomains"][0]
    manifest["validDomains"] = [host]
    manifest["webApplicationInfo"] = {"id": app_id, "resource": f"api://{host}/botid-{app_id}"}
    return manifest


def write_package(source: Path, out: Path, app_id: str, domain: str | None = None) -> None:
    template = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json",
                         json.dumps(manifest_for(template, app_id, domain), indent=2) + "\n")
        for name in FILES[1:]:
            package.write(source / name, arcname=name)


@app.command("package")
def package(
    app_id: Annotated[str, typer.Option("--app-id", help="The bot's Microsoft App ID (GUID).")],
    out: Annotated[Path, typer.Option(help="Where to write the zip.")] = Path("tandem-teams.zip"),
    domain: Annotated[str | None, typer.Option(help="Tandem's public host name.")] = None,
    source: Annotated[Path, typer.Option(help="Folder with manifest.json and icons.")] = SOURCE,
) -> None:
    """Write the Teams app package (manifest.json, color.png, outline.png) to upload."""
    if not GUID.match(app_id):
        fail(f"--app-id must be the bot's Microsoft App ID, a GUID; got {app_id!r}")
    if domain is not None and not DOMAIN.match(domain.lower()):
        fail(f"--domain must be a host name such as tandem.example.com; got {domain!r}")
    missing = [name for name in FILES if not (source / name).is_file()]
    if missing:
        fail(f"{source} lacks {', '.join(missing)}")
    try:
        write_package(source, out, app_id.lower(), domain.lower() if domain else None)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    echo(f"wrote {out}: upload it in Teams under Apps > Manage your apps > Upload an app")
