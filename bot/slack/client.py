"""The Slack Web API client, built once from the settings."""

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings

TIMEOUT_SECONDS = 10


def base_url(url: str) -> str:
    """slack_sdk joins base_url and the method name by plain concatenation: end with '/'."""
    return url.rstrip("/") + "/"


def web_client(settings: Settings) -> AsyncWebClient:
    """A client with no retry handlers of its own: the outbox owns retries and pacing.

    Its aiohttp session is attached at start-up (bot.slack.app), inside the event loop.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(token=token, base_url=base_url(settings.slack_api_url),
                          timeout=TIMEOUT_SECONDS, retry_handlers=[])
