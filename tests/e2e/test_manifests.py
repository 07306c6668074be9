"""deploy/'s Kubernetes manifests: valid against the Kubernetes schemas
(kubernetes-validate's bundled ones, offline), and consistent with gg's own
flags: the preStop wait is --drainDelay, the grace period outlasts the whole
drain, the probes hit gg's probe paths on its web port."""

import copy
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from gateway import run_gg

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# The oldest Kubernetes minor still in wide use, and the newest bundled schemas.
VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]


def documents():
    docs = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def of_kind(kind):
    return [doc for doc in documents() if doc["kind"] == kind]


def flags(container):
    """A container's gg options as {name: value}; a bare flag maps to True."""
    options = {}
    for arg in container.get("args", []):
        name, _, value = arg.partition("=")
        options[name.lstrip("-").lower()] = value or True
    return options


def gg_containers():
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        for container in pod["containers"]:
            if container["command"][0] == "gg":
                yield deployment["metadata"]["name"], pod, container


def test_the_expected_objects_are_there():
    kinds = sorted((doc["kind"], doc["metadata"]["name"]) for doc in documents())
    assert kinds == sorted([(kind, name) for name in ("price-calculator", "billing")
                            for kind in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler")])


@pytest.mark.parametrize("version", VERSIONS)
def test_manifests_are_valid_kubernetes(version):
    for doc in documents():
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_rejects_a_broken_manifest():
    """The check above can fail: a misspelt field and a wrong type are refused."""
    deployment = of_kind("Deployment")[0]
    misspelt = copy.deepcopy(deployment)
    misspelt["spec"]["template"]["spec"]["terminationGracePeriod"] = 45
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "three"
    for broken in (misspelt, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)


def test_every_option_the_manifests_pass_is_one_gg_has():
    help_text = run_gg("--help").stdout
    known = {name.lower() for name in re.findall(r"--(\w+)", help_text)}
    assert {"draindelay", "draintimeout", "tcpserver"} <= known, help_text
    for name, _, container in gg_containers():
        assert set(flags(container)) <= known, (name, set(flags(container)) - known)


def test_grace_period_outlasts_prestop_and_the_drain():
    for name, pod, container in gg_containers():
        options = flags(container)
        delay, timeout = float(options["draindelay"]), float(options["draintimeout"])
        grace = pod["terminationGracePeriodSeconds"]
        # The kubelet counts the preStop hook inside the grace period.
        assert grace > prestop_seconds(container) + delay + timeout, name


def test_prestop_waits_as_long_as_drain_delay():
    for name, _, container in gg_containers():
        assert prestop_seconds(container) == float(flags(container)["draindelay"]) > 0, name


def prestop_seconds(container):
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep" and len(command) == 2, command
    return float(command[1])


def test_probes_hit_gg_probe_paths_on_its_web_port():
    for name, _, container in gg_containers():
        web = {p["name"]: p["containerPort"] for p in container["ports"]}["web"]
        assert web == int(flags(container)["httpport"]), name
        probes = {kind: container[kind]["httpGet"] for kind in ("livenessProbe", "readinessProbe", "startupProbe")}
        assert probes["livenessProbe"]["path"] == "/healthz", name
        assert probes["readinessProbe"]["path"] == "/readyz", name
        assert probes["startupProbe"]["path"] == "/readyz", name
        assert {probe["port"] for probe in probes.values()} == {"web"}, name


def test_every_gg_container_is_bounded():
    for name, _, container in gg_containers():
        resources = container["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}, name


def test_consumer_reaches_the_provider_through_its_headless_service():
    services = {doc["metadata"]["name"]: doc for doc in of_kind("Service")}
    provider = services["price-calculator"]["spec"]
    assert provider["clusterIP"] == "None"
    graft_port = {p["name"]: p["port"] for p in provider["ports"]}["graft"]
    provider_pod = next(c for n, _, c in gg_containers() if n == "price-calculator")
    assert int(flags(provider_pod)["tcpport"]) == graft_port and flags(provider_pod)["tcpserver"] is True

    billing = next(c for n, _, c in gg_containers() if n == "billing")
    config = dict(item.split("=", 1) for item in env_of(billing)["GRAFT_CONFIG"].split(";"))
    assert config["host"] == "price-calculator:%d" % graft_port
    assert config["name"] == "graft-pypi-energypricecalculator"


def env_of(container):
    return {item["name"]: item["value"] for item in container.get("env", [])}


def test_disruption_budgets_and_autoscalers_select_their_deployments():
    deployments = {doc["metadata"]["name"]: doc for doc in of_kind("Deployment")}
    for budget in of_kind("PodDisruptionBudget"):
        labels = deployments[budget["metadata"]["name"]]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for scaler in of_kind("HorizontalPodAutoscaler"):
        spec = scaler["spec"]
        target = deployments[spec["scaleTargetRef"]["name"]]
        assert spec["minReplicas"] == target["spec"]["replicas"] < spec["maxReplicas"]
        assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]
