"""The programs the end-to-end tests drive, defined with the running program's tests
(tests/bot/conftest.py, tests/bot/teams/conftest.py): the whole bot with its Slack Web API
pointed at a fake (`stack`), intake on a loopback port (`client`), and the Teams bench
(`teams`)."""

from tests.bot.conftest import client, fake_slack, stack, tokens  # noqa: F401
from tests.bot.teams.conftest import teams  # noqa: F401
