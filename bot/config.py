"""Loading settings from the environment and the YAML configuration file."""

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.config import Strict, TandemConfig

EXAMPLE = Path(__file__).with_name("example.yaml")


class Settings(BaseSettings):
    """Process settings; secrets and the database URL come only from here."""

    # An empty variable is an unset one: compose passes `${SLACK_SIGNING_SECRET:-}` as
    # "", which would otherwise turn Slack on with an empty signing secret.
    model_config = SettingsConfigDict(env_prefix="TANDEM_", extra="ignore", env_ignore_empty=True)

    database_url: str = "sqlite:///tandem.db"
    config: Path = EXAMPLE
    host: str = "127.0.0.1"
    port: int = 8080
    sqlite_synchronous: str = "FULL"
    pg_writers: int = Field(default=4, ge=1)  # PostgreSQL units of work that write at once
    # Microsoft Graph and its token endpoint; tests point both at fakes on loopback.
    graph_url: str = "https://graph.microsoft.com/v1.0"
    graph_login_url: str = "https://login.microsoftonline.com"
    # Microsoft Defender for Endpoint's API (remediations); its tokens come from graph_login_url.
    defender_url: str = "https://api.securitycenter.microsoft.com"
    # Microsoft Entra ID's OpenID metadata, for Azure Monitor's secure-webhook tokens.
    entra_login_url: str = "https://login.microsoftonline.com"
    # Microsoft Teams (bot/teams), under the environment names Azure documents.
    microsoft_app_id: str | None = Field(default=None, validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(
        default=None, validation_alias="MICROSOFT_APP_PASSWORD"
    )
    microsoft_app_tenant_id: str | None = Field(
        default=None, validation_alias="MICROSOFT_APP_TENANT_ID"
    )
    teams_openid_metadata_url: str = (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    teams_token_url: str | None = None  # default: login.microsoftonline.com/<tenant>/...token
    # Slack (bot/slack), under the environment names Slack documents.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_posts_per_second: float = 1.0  # per channel; Slack allows about one
    # Outbox dispatcher (bot/outbox.py): how often it looks for due messages unwoken.
    outbox_poll_seconds: float = 2.0
    # How often a replica says it is alive; three missed beats and its leases (outbox
    # work, fixes in flight) go to another replica.
    heartbeat_seconds: float = Field(default=5.0, gt=0)
    # Live reload (bot/reload.py): how often a replica looks for a new configuration.
    config_poll_seconds: float = Field(default=2.0, gt=0)
    # Background jobs (bot/scheduler.py): escalation tick, digests; off in most tests.
    scheduler: bool = True
    escalation_tick_seconds: float = 15.0
    # Logs on stderr: "text" lines, or "json" (one object a line; bot/logs.py).
    log_format: Literal["text", "json"] = "text"
    # The Ed25519 key that signs audit exports and daily checkpoints (bot/signing_key.py):
    # a PEM file's path, or the PEM text itself; never in the database.
    signing_key_file: Path | None = None
    signing_key: SecretStr | None = None
    # Where people reach this deployment (https://tandem.example.com): the monthly
    # report's Teams card links to PUBLIC_URL/reports/..., signed with LINK_SECRET and
    # valid REPORT_LINK_DAYS (bot/report_links.py).
    public_url: str | None = None
    link_secret: SecretStr | None = None
    report_link_days: int = Field(default=7, ge=1, le=90)
    # The web console (bot/web): OpenID Connect sign-in, the key that signs session
    # cookies, and demo mode's "sign in as"; PUBLIC_URL above is its address too.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    session_secret: SecretStr | None = None
    demo: bool = False

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/?#\s]+(/[^?#\s]*)?$", value):
            raise ValueError("must be an http(s) address such as https://tandem.example.com")
        return value.rstrip("/") if value else value

    @field_validator("link_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value


class ConfigError(Exception):
    """A configuration file that cannot be used; `problems` names each one by place."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


# pydantic names the branch of a union it tried inside `loc` ("SideByHours",
# "str-enum[Side]"); those are not places in the file.
_MODELS = frozenset(c.__name__ for c in Strict.__subclasses__())
_BRANCH = re.compile(r"^[\w-]+\[.+\]$")
# A cross-reference message that already names its place inside the failing model.
_PLACED = re.compile(r"^[A-Za-z_]\w*(\[\d+\])*(\.[A-Za-z_]\w*(\[\d+\])*)*: ")
_SIMPLE = {
    "missing": "is required",
    "extra_forbidden": "is not a known setting",
    "model_type": "must be a mapping of settings",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}
_PATTERNS = {
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "must be an email address such as sam@acme.example",
    r"^[a-z0-9][a-z0-9-]{0,63}$": "must be lowercase letters, digits and dashes (at most 64)",
    r"^[A-Z][A-Z0-9]{1,15}$": "must be 2 to 16 capital letters or digits, starting with a letter",
    r"^[a-z0-9][a-z0-9-]*$": "must be lowercase letters, digits and dashes",
}


def _is_branch(part: object) -> bool:
    return isinstance(part, str) and (part in _MODELS or bool(_BRANCH.match(part)))


def _place(loc: tuple) -> str:
    out = ""
    for part in loc:
        if _is_branch(part):
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _wanted(error: ErrorDetails) -> bool:
    """Of a union's branches, report only the one the value was written for: the
    mapping branch for a mapping, the plain-value branch otherwise."""
    loc = error["loc"]
    for i, part in enumerate(loc):
        if _is_branch(part):
            inside = i < len(loc) - 1  # the branch accepted the value's shape
            return inside or isinstance(error["input"], dict) == (part in _MODELS)
    return True


def _message(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "one of the allowed values")).replace("'", "")
        return f"must be {expected.lower() if expected in ('True', 'False') else expected}"
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return _PATTERNS[ctx["pattern"]]
    return error["msg"].removeprefix("Value error, ")


def problems_of(error: ValidationError) -> list[str]:
    found = []
    for e in error.errors():
        if not _wanted(e):
            continue
        place = _place(e["loc"])
        for line in _message(e).splitlines():
            if not _PLACED.match(line):
                found.append(f"{place}: {line}")
            else:  # a cross-reference check that names its place within `place`
                found.append(line if place == "(top level)" else f"{place}.{line}")
    return found


def load(path: Path) -> TandemConfig:
    return validate(path, read(path))


def load_document(path: Path) -> tuple[dict, TandemConfig]:
    """The file's document as read, for publishing, and the configuration it describes."""
    document = read(path)
    return document, validate(path, document)


def read(path: Path) -> dict:
    """The file's YAML document, a mapping; anything else is a ConfigError."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(path, [f"cannot read the file: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ConfigError(path, [f"line {line}: not UTF-8 text; save the file as UTF-8"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(
            path, [f"{where}not valid YAML ({getattr(error, 'problem', error)})"]
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(path, ["(top level): must be a mapping with a tenants section"])
    return raw


def validate(where: Path | str, document: dict) -> TandemConfig:
    """The configuration a document (read from `where`) describes; a ConfigError names
    every problem by its place."""
    try:
        return TandemConfig.model_validate(document)
    except ValidationError as error:
        raise ConfigError(where, problems_of(error)) from None
