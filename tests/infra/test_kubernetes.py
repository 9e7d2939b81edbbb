"""infra/kubernetes: the kustomization renders to valid manifests that run Tandem as
the restricted Pod Security Standard requires, probe the endpoints it serves, and read
from the Secret only variables Tandem reads."""

import kubernetes_validate
import pytest
import yaml
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config import load
from bot.server import SHUTDOWN_SECONDS
from tests.infra.manifests import (
    KUBERNETES,
    containers,
    env_names_in_config,
    one,
    pod_templates,
    render,
    secret_env,
    settings_env_names,
)

KUBERNETES_VERSION = "1.33.0"  # a recent release kubernetes-validate ships schemas for
DOCS = render()


def _server() -> dict:
    return one(DOCS, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def _config_in_configmap() -> dict:
    return yaml.safe_load(one(DOCS, "ConfigMap")["data"]["config.yaml"])


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_is_valid_for_kubernetes(doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_validation_catches_a_misspelt_field():
    broken = yaml.safe_load(yaml.safe_dump(one(DOCS, "Deployment")))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_names_every_manifest_but_the_example_secret():
    listed = set(yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert on_disk - listed == {"secret.example.yaml"}
    assert not [doc for doc in DOCS if doc["kind"] == "Secret"], "no secret is committed"


def test_the_namespace_enforces_the_restricted_standard():
    labels = one(DOCS, "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {doc["metadata"].get("namespace") for doc in DOCS if doc["kind"] != "Namespace"} == {
        one(DOCS, "Namespace")["metadata"]["name"]}


def test_every_pod_meets_the_restricted_pod_security_standard():
    pods = dict(pod_templates(DOCS))
    assert set(pods) == {"Deployment/tandem", "Job/tandem-migrate"}
    for where, pod in pods.items():
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True, where
        assert context["runAsUser"] > 0, where
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert pod.get("hostNetwork", False) is False, where
        tmp = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in containers(pod):
            own = container["securityContext"]
            assert own["allowPrivilegeEscalation"] is False, where
            assert own["capabilities"] == {"drop": ["ALL"]}, where
            assert own["readOnlyRootFilesystem"] is True, where
            assert "runAsUser" not in own or own["runAsUser"] > 0, where
            assert any(m["mountPath"] == "/tmp" and m["name"] in tmp
                       for m in container["volumeMounts"]), f"{where}: /tmp is not writable"


def test_replicas_probes_and_grace_period():
    deployment = one(DOCS, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] >= 2
    assert pod["terminationGracePeriodSeconds"] >= 10 + SHUTDOWN_SECONDS
    server = _server()
    env = {e["name"]: e.get("value") for e in server["env"]}
    assert server["ports"] == [{"name": "http", "containerPort": int(env["TANDEM_PORT"])}]
    assert env["TANDEM_HOST"] == "0.0.0.0"
    assert server["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert server["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert server["args"] == ["tandem", "serve"]


def test_service_and_budget_select_the_servers_only():
    labels = one(DOCS, "Deployment")["spec"]["template"]["metadata"]["labels"]
    job_labels = one(DOCS, "Job")["spec"]["template"]["metadata"]["labels"]
    service, budget = one(DOCS, "Service"), one(DOCS, "PodDisruptionBudget")
    for selector in (service["spec"]["selector"], budget["spec"]["selector"]["matchLabels"]):
        assert selector.items() <= labels.items()
        assert not selector.items() <= job_labels.items()
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
    assert budget["spec"]["minAvailable"] < one(DOCS, "Deployment")["spec"]["replicas"]


def test_the_migration_job_runs_tandem_db_upgrade_from_the_same_image():
    job = one(DOCS, "Job")["spec"]["template"]["spec"]
    (migrate,) = job["containers"]
    assert migrate["image"] == _server()["image"]
    assert job["restartPolicy"] in ("OnFailure", "Never")
    assert migrate["args"][0] == "tandem"
    assert CliRunner().invoke(app, [*migrate["args"][1:], "--help"]).exit_code == 0
    assert migrate["args"][1:] == ["db", "upgrade"]
    assert secret_env(migrate)["TANDEM_DATABASE_URL"] == "TANDEM_DATABASE_URL"


def test_the_configuration_comes_from_the_configmap(tmp_path):
    server = _server()
    env = {e["name"]: e.get("value") for e in server["env"]}
    mount = next(m for m in server["volumeMounts"] if m["name"] == "config")
    volume = next(v for v in one(DOCS, "Deployment")["spec"]["template"]["spec"]["volumes"]
                  if v["name"] == "config")
    configmap = one(DOCS, "ConfigMap")
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]
    (key,) = configmap["data"]
    assert env["TANDEM_CONFIG"] == f"{mount['mountPath']}/{key}"
    written = tmp_path / key
    written.write_text(configmap["data"][key])
    assert load(written).tenants, "the ConfigMap's configuration loads"


def test_the_secret_feeds_only_what_tandem_reads_and_every_integration():
    read_from_secret = secret_env(_server())
    assert all(name == key for name, key in read_from_secret.items())
    config_names = env_names_in_config(_config_in_configmap())
    assert set(read_from_secret) - settings_env_names() - config_names == set()
    assert config_names <= set(read_from_secret), "every integration's secret is passed"
    assert "TANDEM_DATABASE_URL" in read_from_secret
    example = yaml.safe_load((KUBERNETES / "secret.example.yaml").read_text())
    assert set(example["stringData"]) == set(read_from_secret)
