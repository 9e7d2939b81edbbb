"""Reading infra/ in tests: the Kubernetes kustomization rendered without a kustomize
binary, and the environment variable names Tandem reads."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings

INFRA = Path(__file__).resolve().parents[2] / "infra"
KUBERNETES = INFRA / "kubernetes"
# What the loader below understands; anything more in kustomization.yaml needs kustomize.
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "namespace", "resources"}


def render(folder: Path = KUBERNETES) -> list[dict[str, Any]]:
    """The manifests `kubectl apply -k folder` applies: each file of `resources` in
    order, every object but a Namespace put in the kustomization's `namespace`."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KUSTOMIZATION_KEYS
    if unknown:
        raise ValueError(f"kustomization.yaml uses {sorted(unknown)}, which this loader lacks")
    docs = []
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((folder / name).read_text()):
            if doc["kind"] != "Namespace" and "namespace" in kustomization:
                doc["metadata"]["namespace"] = kustomization["namespace"]
            docs.append(doc)
    return docs


def one(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [doc for doc in docs if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def pod_templates(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind/name, pod spec) of every object that runs pods."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet", "CronJob"):
            spec = doc["spec"]
            if doc["kind"] == "CronJob":
                spec = spec["jobTemplate"]["spec"]
            yield f"{doc['kind']}/{doc['metadata']['name']}", spec["template"]["spec"]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return pod.get("initContainers", []) + pod["containers"]


def secret_env(container: dict[str, Any]) -> dict[str, str]:
    """Environment variable name -> Secret key, for each one read from a Secret."""
    return {
        env["name"]: env["valueFrom"]["secretKeyRef"]["key"]
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }


def settings_env_names() -> set[str]:
    """Every environment variable bot/config.py's Settings reads."""
    prefix = Settings.model_config.get("env_prefix", "")
    return {
        field.validation_alias if isinstance(field.validation_alias, str)
        else f"{prefix}{name}".upper()
        for name, field in Settings.model_fields.items()
    }


def secret_settings_env_names() -> set[str]:
    """The Settings that hold secrets (SecretStr) and the Teams app's identity."""
    return {
        field.validation_alias
        for field in Settings.model_fields.values()
        if isinstance(field.validation_alias, str)
        and field.validation_alias.startswith(("SLACK_", "MICROSOFT_"))
        and not field.validation_alias.endswith("_URL")
    }


def env_names_in_config(raw: Any) -> set[str]:
    """Every environment variable a configuration names with a `*_env` setting."""
    if isinstance(raw, dict):
        found = {v for k, v in raw.items() if k.endswith("_env") and isinstance(v, str)}
        return found.union(*(env_names_in_config(v) for v in raw.values()))
    if isinstance(raw, list):
        return set().union(*(env_names_in_config(v) for v in raw))
    return set()
