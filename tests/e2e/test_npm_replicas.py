"""A TypeScript graft over replicas: real gg on 127.0.0.2-4 (the same ports),
@graft/pypi-inventory installed by npm from the first, node calling through
it (fixtures/npm/replicas.mjs). Calls spread over the replicas; a call that
never reached a provider is retried on another; calls in flight on a replica
killed with SIGKILL are retried when their method is idempotent and fail
with Unavailable (sent) when not; every failure is an Error subclass
(Unavailable, CircuitOpen, Overloaded, Timeout); objects and streams stay on
the replica they started on. As the Python graft does (test_replicas*.py)."""

import json
import signal
import subprocess

import pytest

from gateway import Gateway, free_port
from replicas import FIXTURE, start
from test_npm_graft import new_project, npm_install

IPS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
PACKAGE = "@graft/pypi-inventory"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    first = start(["127.0.0.1"])  # npm_install reaches 127.0.0.1 alone
    try:
        project = new_project(tmp_path_factory.mktemp("npm") / "project")
        out = npm_install(project, "http://%s:%d/npm/" % (first[0].ip, first[0].ports["http"]), (PACKAGE,))
        assert out.returncode == 0, out.stdout + out.stderr
        return project
    finally:
        first[0].stop()


@pytest.fixture
def replicas():
    started = start(IPS, args=["--drainDelay=0"])
    yield started
    for replica in started:
        replica.stop(signal.SIGKILL)


def node(project, scenario, config, timeout=60):
    out = subprocess.run(["node", "replicas.mjs", scenario, config], cwd=project, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def hosts(replicas):
    return ",".join(r.address for r in replicas)


def test_calls_spread_over_every_replica(project, replicas):
    seen = node(project, "spread", "host=%s" % hosts(replicas))
    assert seen == {"replicas": IPS, "n": 30}


def test_a_call_that_never_reached_a_provider_goes_to_another(project, replicas):
    dead = "127.0.0.5:%d" % replicas[0].ports["tcp"]  # nothing listens there: refused before it is sent
    seen = node(project, "refused", "host=%s,%s;eject=30" % (dead, hosts(replicas[:2])))
    assert seen == {"failed": [], "replicas": IPS[:2]}, "take() is not idempotent, yet never ran: retried"


def test_sigkill_retries_idempotent_calls_and_loses_the_others(project, replicas):
    victim = replicas[1]
    config = "host=%s;timeout=20;eject=30" % hosts(replicas)
    caller = subprocess.Popen(["node", "replicas.mjs", "kill", config], cwd=project, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert json.loads(caller.stdout.readline()) == {"started": True}, caller.stderr.read()
        victim.stop(signal.SIGKILL)
        out, err = caller.communicate("go\n", timeout=60)
    finally:
        caller.kill()
    seen = json.loads(out.strip().splitlines()[-1])
    assert all("ok" in o for o in seen["where"]), seen["where"]
    assert {o["ok"].split("/")[0] for o in seen["where"]} <= {IPS[0], IPS[2]} | {victim.ip}
    lost = [o for o in seen["take"] if "ok" not in o]
    assert lost, "some take() calls were on the killed replica"
    for o in lost:
        assert (o["error"], o["unavailable"], o["sent"], o["isError"]) == ("Unavailable", True, True, True), o
        assert victim.address in o["message"], o
    assert {o["ok"].split("/")[0] for o in seen["take"] if "ok" in o} <= {IPS[0], IPS[2]}
    assert all("ok" in o and not o["ok"].startswith(victim.ip) for o in seen["after"]), seen["after"]


def test_nothing_listening_is_unavailable_then_circuit_open(project):
    port = free_port()
    seen = node(project, "dead", "host=127.0.0.5:%d,127.0.0.6:%d;breaker=1;backoff=0.01" % (port, port))
    first, then = seen["first"], seen["then"]
    assert (first["error"], first["unavailable"], first["sent"], first["isError"]) == ("Unavailable", True, False, True)
    assert first["message"].startswith("cannot connect to 127.0.0.6:%d" % port) or "127.0.0.5" in first["message"]
    assert (then["error"], then["circuit"], then["unavailable"], then["isError"]) == ("CircuitOpen", True, True, True)
    assert "every replica's circuit is open (2)" in then["message"], then


def test_timeout_and_overloaded_are_their_classes(project):
    with Gateway(str(FIXTURE / "inventory.py"), args=["--maxInFlight=1"], tcp=True) as gg:
        seen = node(project, "limits", "host=127.0.0.1:%d;timeout=1.5" % gg.tcp_port)
    late, full = seen["late"], seen["full"]
    assert (late["error"], late["timeout"], late["isError"]) == ("Timeout", True, True), late
    assert sum("ok" in o for o in full) == 1, full
    for o in (o for o in full if "ok" not in o):
        assert (o["error"], o["overloaded"], o["unavailable"], o["isError"]) == ("Overloaded", True, True, True), o


def test_objects_and_streams_stay_on_their_replica(project, replicas):
    seen = node(project, "stay", "host=%s" % hosts(replicas))
    for shelf in seen["shelves"]:
        assert len(shelf["homes"]) == 1 and shelf["counts"] == [1, 2, 3, 4], shelf
    assert len({s["homes"][0] for s in seen["shelves"]}) > 1, "objects are made on several replicas"
    assert all(len(items) == 1 for items in seen["streams"]), seen["streams"]
