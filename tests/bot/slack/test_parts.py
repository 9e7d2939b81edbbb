"""The Slack adapter's parts: settings, the client's base URL, the sender's error mapping,
Socket Mode construction, and per-channel pacing."""

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.outbox.sender import Permanent, RateLimited, Recipient, Transient
from bot.slack.app import build_bolt, socket_mode
from bot.slack.client import web_client
from bot.slack.sender import SlackSender
from fakes.slack.api import TOKEN
from tests.cards.samples import base_view


def test_settings_come_from_slacks_own_environment_names(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    settings = Settings()
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert settings.slack_signing_secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings) and "xoxb-1" not in repr(settings)
    assert web_client(settings).base_url == "http://127.0.0.1:9/api/"


async def test_socket_mode_is_built_from_the_app_token():
    settings = Settings(SLACK_BOT_TOKEN=TOKEN, SLACK_APP_TOKEN="xapp-1-test")
    bolt = build_bolt(settings, web_client(settings))
    handler = socket_mode(bolt, settings)
    assert isinstance(handler, AsyncSocketModeHandler)
    assert handler.client.app_token == "xapp-1-test"
    assert socket_mode(bolt, Settings(SLACK_BOT_TOKEN=TOKEN)) is None


@pytest.fixture
async def sender(fake_slack):
    async with aiohttp.ClientSession() as session:
        yield SlackSender(AsyncWebClient(token=TOKEN, base_url=fake_slack.url, session=session,
                                         retry_handlers=[]))


async def test_slack_errors_map_onto_the_outbox_contract(fake_slack, sender):
    fake_slack.fail(429, times=1, retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await sender.post_text("C0OPS", "hi")
    assert limited.value.retry_after == 7.0
    fake_slack.fail(503, times=1)
    with pytest.raises(Transient, match="chat.postMessage: HTTP 503"):
        await sender.post_text("C0OPS", "hi")
    with pytest.raises(Permanent, match="chat.postMessage: channel_not_found"):
        await sender.post_text("C0GONE", "hi")
    with pytest.raises(Permanent, match="chat.update: message_not_found"):
        await sender.update_card("C0OPS", "1.000001", base_view())
    assert fake_slack.messages == {}


async def test_network_errors_and_bad_tokens(fake_slack):
    async with aiohttp.ClientSession() as session:
        closed = AsyncWebClient(token=TOKEN, base_url="http://127.0.0.1:9/api/", session=session,
                                retry_handlers=[])
        with pytest.raises(Transient, match="ClientConnectorError"):
            await SlackSender(closed).post_text("C0OPS", "hi")
        wrong = AsyncWebClient(token="xoxb-wrong", base_url=fake_slack.url, session=session)
        with pytest.raises(Permanent, match="invalid_auth"):
            await SlackSender(wrong).post_text("C0OPS", "hi")


async def test_find_card_reads_history_pages_for_the_metadata(fake_slack, sender):
    ts = await sender.post_card("C0OPS", base_view())
    for n in range(250):
        await sender.post_text("C0OPS", f"chatter {n}")
    assert await sender.find_card("C0OPS", "ACME-142", None) == ts
    assert len(fake_slack.calls_to("conversations.history")) == 2
    assert await sender.find_card("C0OPS", "ACME-999", None) is None


async def test_direct_messages_find_the_user_by_email_when_needed(fake_slack, sender):
    fake_slack.users["U0IVY"] = {"id": "U0IVY", "profile": {"email": "ivy@acme.example"}}
    await sender.send_direct(Recipient("ivy@acme.example", "Ivy Stone"), "hello")
    assert [m["text"] for m in fake_slack.messages["DU0IVY"]] == ["hello"]
    with pytest.raises(Permanent, match="users_not_found"):
        await sender.send_direct(Recipient("ghost@acme.example", "Ghost"), "boo")


async def test_pings_quote_alert_titles_without_letting_them_mention_anyone(fake_slack, sender):
    hostile = "ACME-7 is unclaimed: <!channel> disk <https://evil.example|full> & more"
    await sender.post_text("C0OPS", hostile)
    await sender.send_direct(Recipient("dana@partner.example", "Dana Reyes",
                                       {"slack": "T0PARTNER/U0DANA"}), hostile)
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.args["text"] for c in calls] == ["ACME-7 is unclaimed: &lt;!channel&gt; disk "
                                               "&lt;https://evil.example|full&gt; &amp; more"] * 2
    for call in calls:  # shown as rich text, which Slack never parses for mrkdwn or mentions
        [section] = call.args["blocks"][0]["elements"]
        assert section["elements"] == [{"type": "text", "text": hostile}]


async def test_a_ping_mentions_the_person_by_their_slack_user_id(fake_slack, sender):
    text = "ACME-7 is unclaimed: *bold* <!here>. Raj Patel, you are on call."
    raj = Recipient("raj@partner.example", "Raj Patel", {"slack": "T0PARTNER/U0RAJ"})
    await sender.post_text("C0OPS", text, raj, text.index("Raj"))
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.args["text"] == ("ACME-7 is unclaimed: *bold* &lt;!here&gt;. <@U0RAJ>, "
                                 "you are on call.")
    [section] = call.args["blocks"][0]["elements"]
    assert section["elements"] == [
        {"type": "text", "text": "ACME-7 is unclaimed: *bold* <!here>. "},
        {"type": "user", "user_id": "U0RAJ"}, {"type": "text", "text": ", you are on call."}]
    # without a Slack identity the name stays plain, escaped text
    await sender.post_text("C0OPS", "Eve <x>, on call", Recipient("e@x.example", "Eve <x>"), 0)
    assert fake_slack.calls_to("chat.postMessage")[-1].args["text"] == "Eve &lt;x&gt;, on call"
