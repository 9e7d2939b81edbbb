"""Loading settings from the environment and the YAML configuration file."""

from pathlib import Path

import yaml
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.config import TandemConfig

EXAMPLE = Path(__file__).with_name("example.yaml")


class Settings(BaseSettings):
    """Process settings; secrets and the database URL come only from here."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", extra="ignore")

    database_url: str = "sqlite:///tandem.db"
    config: Path = EXAMPLE
    host: str = "127.0.0.1"
    port: int = 8080
    sqlite_synchronous: str = "FULL"
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
    teams_graph_url: str = "https://graph.microsoft.com/v1.0"


class ConfigError(Exception):
    """A configuration file that cannot be used; `problems` names each one by place."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def _place(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _message(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in ("enum", "literal_error"):
        return f"must be {ctx.get('expected', 'one of the allowed values')}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known setting"
    return error["msg"].removeprefix("Value error, ")


def problems_of(error: ValidationError) -> list[str]:
    found = []
    for e in error.errors():
        message = _message(e)
        place = _place(e["loc"])
        # Cross-reference checks already start with their own place.
        found.append(
            message if place == "(top level)" and ": " in message else f"{place}: {message}"
        )
    return found


def load(path: Path) -> TandemConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(path, [f"cannot read the file: {error.strerror}"]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(
            path, [f"{where}not valid YAML ({getattr(error, 'problem', error)})"]
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(path, ["(top level): must be a mapping with a tenants section"])
    try:
        return TandemConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(path, problems_of(error)) from None
