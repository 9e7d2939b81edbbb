"""The Slack app manifest asks for what the app uses, and points Slack at /slack/events."""

from pathlib import Path

import yaml

MANIFEST = Path(__file__).parents[3] / "infra" / "slack" / "manifest.yaml"
URL = "https://tandem.example.com/slack/events"


def test_manifest_scopes_command_events_and_urls():
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write", "commands", "users:read", "users:read.email", "im:write",
        "channels:history", "groups:history", "app_mentions:read"}
    [command] = manifest["features"]["slash_commands"]
    assert (command["command"], command["url"]) == ("/tandem", URL)
    settings = manifest["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": URL}
    # app_mention is the one event listened for (test_interactions sends it signed).
    assert settings["event_subscriptions"] == {"request_url": URL, "bot_events": ["app_mention"]}
