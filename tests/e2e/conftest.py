"""The programs the end-to-end tests drive, defined beside the adapters' own tests: the
whole bot with its Slack Web API pointed at a fake (`stack`), intake on a loopback port
(`client`), and the Teams bench (`teams`)."""

from tests.slack.conftest import client, fake_slack, stack, tokens  # noqa: F401
from tests.teams.conftest import teams  # noqa: F401
