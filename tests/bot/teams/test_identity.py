"""Who a Teams user is: configured AAD object id, else email from Graph or the UPN sent."""

import re
from pathlib import Path

from botbuilder.schema import ChannelAccount

from bot.teams.identity import identify
from handlers.commands import Identity

HOME = "aad-raj-in-partner-tenant"
SDK_IMPORT = re.compile(r"^\s*(from|import)\s+(botbuilder|botframework)\b", re.MULTILINE)


def account(aad: str, name: str = "Someone", **extra) -> ChannelAccount:
    found = ChannelAccount(id=f"29:{aad}", name=name, aad_object_id=aad)
    found.additional_properties = extra
    return found


async def test_configured_object_id_wins(teams_sqlite, cfg):
    directory = teams_sqlite.teams.context.directory
    who = await identify(cfg, directory, account("aad-sam"))
    assert who == Identity("teams", "aad-sam", "sam@acme.example")
    assert teams_sqlite.identity.graph_requests == []  # no Graph call for configured people


async def test_graph_email_matches_and_is_cached(teams_sqlite, cfg):
    teams_sqlite.identity.users[HOME] = {"id": HOME, "displayName": "R. Patel",
                                         "mail": None,
                                         "userPrincipalName": "RAJ@partner.example"}
    directory = teams_sqlite.teams.context.directory
    for _ in range(3):
        who = await identify(cfg, directory, account(HOME))
        assert who == Identity("teams", HOME, "raj@partner.example")
    assert [r["id"] for r in teams_sqlite.identity.graph_requests] == [HOME]
    assert teams_sqlite.identity.graph_requests[0]["auth"].startswith("Bearer fake-token-")


async def test_unknown_in_graph_falls_back_to_the_upn_sent(teams_sqlite, cfg):
    directory = teams_sqlite.teams.context.directory
    who = await identify(cfg, directory,
                         account("aad-lee-guest", userPrincipalName="Lee@Acme.example"))
    assert who.email == "lee@acme.example"
    missing = await identify(cfg, directory, account("aad-ghost"))
    assert missing == Identity("teams", "aad-ghost")
    assert [r["id"] for r in teams_sqlite.identity.graph_requests] == ["aad-lee-guest",
                                                                      "aad-ghost"]


async def test_a_display_name_is_never_an_identity(teams_sqlite, cfg):
    directory = teams_sqlite.teams.context.directory
    who = await identify(cfg, directory, account("aad-x", name="Sam Okafor"))
    assert who.email is None
    assert await identify(cfg, directory, None) == Identity()


async def test_graph_outage_is_not_cached(teams_sqlite):
    directory = teams_sqlite.teams.context.directory
    teams_sqlite.identity.graph_failures = 1
    teams_sqlite.identity.users[HOME] = {"id": HOME, "mail": "raj@partner.example"}
    assert await directory.emails(HOME) == ()
    assert await directory.emails(HOME) == ("raj@partner.example",)


def test_botbuilder_is_imported_only_inside_bot_teams():
    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in [*root.glob("bot/**/*.py"), *root.glob("handlers/**/*.py"),
                 *root.glob("cards/**/*.py"), *root.glob("storage/**/*.py")]:
        if "teams" in path.relative_to(root).parts[:2]:
            continue
        if SDK_IMPORT.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
