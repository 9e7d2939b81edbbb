"""The Teams app package: valid against the official manifest schema, icons as Teams wants."""

import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from handlers.chat.parse import HELP

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "infra" / "teams"
# From the npm package @microsoft/app-manifest (build/json-schemas/teams/v1.19).
SCHEMA = Path(__file__).parent / "schema" / "MicrosoftTeams.v1.19.schema.json"
APP_ID = "0f3c2a1e-9b8d-4c7e-a6f5-123456789abc"


def schema_errors(manifest: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
            for e in validator.iter_errors(manifest)]


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """(width, height, RGBA pixels) of an 8-bit RGBA, non-interlaced PNG without filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    assert all(raw[y * stride] == 0 for y in range(height))
    pixels = [tuple(raw[y * stride + 1 + x * 4:y * stride + 5 + x * 4])
              for y in range(height) for x in range(width)]
    return width, height, pixels


def test_schema_check_bites():
    manifest = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    manifest["bots"][0]["scopes"] = ["everywhere"]
    manifest["id"] = "not-a-guid"
    assert len(schema_errors(manifest)) == 2


def test_template_is_valid_and_complete():
    manifest = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    assert schema_errors(manifest) == []
    bot = manifest["bots"][0]
    assert set(bot["scopes"]) == {"team", "personal", "groupChat"}
    assert manifest["supportedChannelTypes"] == ["sharedChannels", "privateChannels"]
    assert manifest["validDomains"] and manifest["webApplicationInfo"]["id"]


def test_command_lists_match_the_chat_command_set():
    manifest = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    usages = [part.split() for line in HELP.splitlines()[1:] for part in line.split("|")]
    known = {words[0] for words in usages if words}
    for commands in manifest["bots"][0]["commandLists"]:
        titles = [c["title"] for c in commands["commands"]]
        assert titles and set(titles) <= known, set(titles) - known


def test_icons():
    width, height, pixels = read_png((SOURCE / "color.png").read_bytes())
    assert (width, height) == (192, 192) and all(p[3] == 255 for p in pixels)
    width, height, pixels = read_png((SOURCE / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    assert {p[3] for p in pixels} == {0, 255}  # transparent, and
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)}  # white where drawn


def test_package_command_writes_the_zip(tmp_path):
    out = tmp_path / "tandem.zip"
    result = CliRunner().invoke(app, ["teams", "package", "--app-id", APP_ID, "--out", str(out),
                                      "--domain", "tandem.acme.example"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert package.read("color.png") == (SOURCE / "color.png").read_bytes()
    assert schema_errors(manifest) == []
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["webApplicationInfo"] == {
        "id": APP_ID, "resource": f"api://tandem.acme.example/botid-{APP_ID}"}
    assert manifest["validDomains"] == ["tandem.acme.example"]


@pytest.mark.parametrize("args, problem", [
    (["--app-id", "not-a-guid"], "--app-id must be the bot's Microsoft App ID"),
    (["--app-id", APP_ID, "--domain", "https://x"], "--domain must be a host name"),
    (["--app-id", APP_ID, "--source", "/nonexistent"], "lacks manifest.json"),
])
def test_package_command_names_bad_input(tmp_path, args, problem):
    result = CliRunner().invoke(app, ["teams", "package", *args, "--out",
                                      str(tmp_path / "x.zip")])
    assert result.exit_code == 1
    assert problem in result.output
    assert not (tmp_path / "x.zip").exists()
