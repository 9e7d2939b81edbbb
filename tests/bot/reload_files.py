"""Configuration files for the reload tests: the test configuration, without Dana (a
partner engineer with a Slack account), or with a problem."""

from pathlib import Path

from tests.conftest import DATA

DANA = "dana@partner.example"
DANA_LINE = ("  - {email: dana@partner.example, name: Dana Reyes, side: partner, roles: "
             "[responder], tenants: [acme, globex], slack: {team: T0PARTNER, user: U0DANA}}\n")


def config_text() -> str:
    return (DATA / "config.yaml").read_text(encoding="utf-8")


def without_dana() -> str:
    text = config_text()
    assert DANA_LINE in text
    return (text.replace(DANA_LINE, "")
            .replace("members: [dana@partner.example, raj@partner.example]",
                     "members: [raj@partner.example]"))


def bad() -> str:
    """Two problems: a tenant code that is not capitals, a person of no known side."""
    return (without_dana().replace("code: ACME", "code: acme")
            .replace("name: Raj Patel, side: partner", "name: Raj Patel, side: vendor"))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
