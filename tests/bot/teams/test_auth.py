"""POST /api/messages: every request without a valid Bot Framework JWT gets 401, never 500."""

import asyncio
import base64
import json

import aiohttp
import pytest

from bot.openid_keys import KeysUnavailable, OpenIdKeys
from bot.teams.auth import SKEW, TokenValidator, Unauthorized
from fakes.botframework.connector import APP_ID
from fakes.botframework.identity import new_key


def _message(bench) -> dict:
    return bench.activity("message", text="help")


async def test_valid_token_is_accepted(teams_sqlite):
    status, body = await teams_sqlite.post(_message(teams_sqlite))
    assert status == 200, body


def _unsigned(bench) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID,
              "serviceurl": bench.service_url, "exp": 4102444800}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


BAD_TOKENS = {
    "missing": lambda b: None,
    "garbage": lambda b: "not-a-jwt",
    "three garbage parts": lambda b: "abc.def.ghi",
    "forged signature": lambda b: b.token(key=new_key()),
    "expired": lambda b: b.token(lifetime=-3600),
    "wrong audience": lambda b: b.token(audience="someone-else"),
    "wrong issuer": lambda b: b.token(issuer="https://sts.example"),
    "wrong serviceUrl": lambda b: b.token(service_url="https://evil.example/"),
    "unknown key id": lambda b: b.token(kid="rotated-away"),
    "alg none": _unsigned,
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_bad_tokens_get_401(teams_sqlite, case):
    token = BAD_TOKENS[case](teams_sqlite)
    status, body = await teams_sqlite.post(_message(teams_sqlite), token=token)
    assert status == 401, (case, body)
    assert body["error"].startswith("unauthorized")
    assert teams_sqlite.connector.calls == []  # nothing was acted on


async def test_wrong_scheme_and_garbage_body_get_401(teams_sqlite):
    status, _ = await teams_sqlite.post({}, token=None,
                                        headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert status == 401
    status, _ = await teams_sqlite.post({}, token=None, data=b"\xff\xfe not json")
    assert status == 401


async def test_bad_input_with_a_valid_token_is_a_clear_4xx(teams_sqlite):
    b = teams_sqlite
    status, body = await b.post({}, data=b"{not json", headers={"Content-Type":
                                                                "application/json"})
    assert status == 401  # no activity, so no serviceUrl the token could match
    status, body = await b.post({"serviceUrl": b.service_url, "channelId": "msteams"})
    assert (status, body["error"]) == (400, "the body must be a Bot Framework activity with a type")
    status, body = await b.post({}, data=json.dumps(_message(b)),
                                headers={"Content-Type": "text/plain"})
    assert status == 415


async def test_keys_are_fetched_once_and_cached(teams_sqlite):
    for _ in range(5):
        status, _ = await teams_sqlite.post(_message(teams_sqlite))
        assert status == 200
    assert teams_sqlite.identity.key_fetches == 1


async def test_unknown_key_ids_do_not_hammer_the_key_endpoint(teams_sqlite):
    for _ in range(5):
        await teams_sqlite.post(_message(teams_sqlite), token=teams_sqlite.token(kid="nope"))
    assert teams_sqlite.identity.key_fetches == 1


async def test_key_fetch_does_not_block_the_event_loop(teams_sqlite):
    teams_sqlite.identity.delay = 0.3
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    status, _ = await teams_sqlite.post(_message(teams_sqlite))
    task.cancel()
    assert status == 200
    assert ticks >= 15  # the loop kept running while the keys were slow to come


async def test_unreachable_keys_answer_503_not_500(teams_sqlite):
    async with aiohttp.ClientSession() as http:
        keys = OpenIdKeys(http, "http://127.0.0.1:9/nothing-listens-here")
        validator = TokenValidator(keys, APP_ID)
        with pytest.raises(KeysUnavailable):
            await validator.validate(f"Bearer {teams_sqlite.token()}", teams_sqlite.service_url,
                                     "msteams")
        with pytest.raises(Unauthorized):  # a token that is not even a JWT fails first
            await validator.validate("Bearer nope", teams_sqlite.service_url, "msteams")


async def test_channel_must_be_endorsed(teams_sqlite):
    activity = _message(teams_sqlite) | {"channelId": "webchat"}
    status, body = await teams_sqlite.post(activity)
    assert status == 401 and "endorsed" in body["error"]


ODD_TOKENS = ["a.b", "....", "Bearer", "x" * 8000, "eyJhbGciOiJSUzI1NiJ9.WzFd.c2ln",
              "eyJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.",
              "eyJhbGciOiJSUzI1NiIsImtpZCI6NX0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2ln"]


@pytest.mark.parametrize("token", ODD_TOKENS)
async def test_odd_tokens_get_401(teams_sqlite, token):
    status, _ = await teams_sqlite.post(_message(teams_sqlite), token=token)
    assert status == 401


async def test_odd_but_authentic_activities_never_500(teams_sqlite):
    b = teams_sqlite
    odd = [
        {"type": "message", "serviceUrl": b.service_url, "channelId": "msteams"},
        b.activity("conversationUpdate", membersAdded=None, conversation=None),
        b.activity("event", name="anything"),
        b.activity("typing"),
        b.activity("message", text=None, recipient=None, **{"from": None}),
    ]
    for activity in odd:
        status, body = await b.post(activity)
        assert status == 200, (activity, body)
    status, _ = await b.post(b.activity("invoke", name="composeExtension/query", value={}))
    assert status == 501


async def test_a_remembered_token_is_still_checked_each_time(teams_sqlite):
    """After its signature is verified once, a token is served from memory: it must
    still match the activity's serviceUrl and channel, and still expire."""
    b = teams_sqlite
    async with aiohttp.ClientSession() as http:
        validator = TokenValidator(OpenIdKeys(http, b.identity.metadata_url), APP_ID)
        header = f"Bearer {b.token(lifetime=-SKEW + 2)}"  # inside the clock skew for 2 s
        claims = await validator.validate(header, b.service_url, "msteams")
        assert await validator.validate(header, b.service_url, "msteams") == claims
        with pytest.raises(Unauthorized, match="serviceUrl"):
            await validator.validate(header, "https://evil.example/", "msteams")
        with pytest.raises(Unauthorized, match="endorsed"):
            await validator.validate(header, b.service_url, "webchat")
        await asyncio.sleep(3.1)
        with pytest.raises(Unauthorized, match="expired"):
            await validator.validate(header, b.service_url, "msteams")
