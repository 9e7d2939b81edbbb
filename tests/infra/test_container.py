"""infra/container: the image runs `tandem serve` as PID 1 and as a non-root user, keeps
SQLite on a volume, carries infra/, checks health on TANDEM_PORT; compose passes every
secret Tandem may read."""

import json
import re
import tomllib

import yaml

from tests.infra.manifests import (
    INFRA,
    env_names_in_config,
    one,
    pod_templates,
    render,
    secret_settings_env_names,
)

ROOT = INFRA.parent
EXAMPLE = ROOT / "bot" / "example.yaml"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (INFRA / "container" / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1])
            for line in lines if line and not line.startswith("#")]


def arguments(name: str) -> list[str]:
    return [args for instruction, args in instructions() if instruction == name]


def env() -> dict[str, str]:
    found = {}
    for args in arguments("ENV"):
        found.update(re.findall(r"(\w+)=(\S+)", args))
    return found


def test_runs_as_the_non_root_user_the_kubernetes_pods_run_as():
    (user,) = arguments("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) > 0, "a numeric uid lets runAsNonRoot check it"
    for where, pod in pod_templates(render()):
        assert pod["securityContext"]["runAsUser"] == int(uid), where
    assert f"chown {uid}:{gid or uid} /data" in " ".join(arguments("RUN"))


def test_sqlite_lives_on_the_data_volume():
    assert arguments("VOLUME") == ["/data"]
    assert env()["TANDEM_DATABASE_URL"] == "sqlite:////data/tandem.db"


def test_infra_is_in_the_image_beside_the_code_installed_in_place():
    copies = dict(args.split() for args in arguments("COPY") if len(args.split()) == 2)
    assert copies["infra"] == "./infra" and copies["bot"] == "./bot"
    assert "--editable ." in " ".join(arguments("RUN")), (
        "bot/cli/teams.py finds infra/teams beside the bot package, not in site-packages")
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert not {"infra", "bot", "infra/teams"} & set(ignored)


def test_health_check_uses_tandem_port_and_serve_is_pid_1():
    (health,) = arguments("HEALTHCHECK")
    assert "${TANDEM_PORT}/healthz" in health
    assert "TANDEM_PORT" in env()
    (cmd,) = arguments("CMD")
    assert json.loads(cmd) == ["tandem", "serve"], "exec form: no shell in between"
    assert not arguments("ENTRYPOINT")


def _compose_environment() -> dict[str, str]:
    compose = yaml.safe_load((INFRA / "container" / "compose.yaml").read_text())
    return compose["services"]["tandem"]["environment"]


def test_compose_passes_every_secret_the_example_configuration_names():
    environment = _compose_environment()
    wanted = env_names_in_config(yaml.safe_load(EXAMPLE.read_text()))
    wanted |= secret_settings_env_names()
    assert {"TANDEM_ACME_API_TOKEN", "SLACK_BOT_TOKEN", "MICROSOFT_APP_PASSWORD"} <= wanted
    for name in wanted:
        assert environment.get(name) == f"${{{name}:-}}", f"compose does not pass {name}"


def test_compose_passes_the_port_the_health_check_uses():
    environment = _compose_environment()
    assert environment["TANDEM_PORT"] == "${TANDEM_PORT:-8080}"
    assert environment["TANDEM_DATABASE_URL"].startswith("postgresql://")


def test_compose_and_kubernetes_run_this_release_s_image():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    compose = yaml.safe_load((INFRA / "container" / "compose.yaml").read_text())
    deployment = one(render(), "Deployment")
    assert compose["services"]["tandem"]["image"] == f"tandem:{version}"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == f"tandem:{version}"
