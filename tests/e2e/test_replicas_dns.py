"""A graft whose host is one DNS name with several addresses, as a Kubernetes
headless Service gives: a network namespace made here, with its own hosts
file (`/etc/netns/NAME/hosts`, which `ip netns exec` puts over /etc/hosts),
three gg replicas inside it on 127.0.0.2-4, and the caller inside it too.
The name is re-resolved: an address added to it gets calls."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from replicas import FIXTURE, GRAFT, start

NETNS = "graft-dns-%d" % os.getpid()
HOSTS = Path("/etc/netns") / NETNS / "hosts"


def in_netns(*command, **options):
    return subprocess.run(["ip", "netns", "exec", NETNS, *command], capture_output=True, text=True, **options)


@pytest.fixture
def netns():
    if os.geteuid() != 0:
        pytest.skip("making a network namespace (ip netns add) needs root; this test runs as uid %d" % os.geteuid())
    subprocess.run(["ip", "netns", "add", NETNS], check=True)
    try:
        HOSTS.parent.mkdir(parents=True, exist_ok=True)
        HOSTS.write_text("127.0.0.1 localhost\n127.0.0.2 replicas.test\n127.0.0.3 replicas.test\n")
        assert in_netns("ip", "link", "set", "lo", "up").returncode == 0
        yield NETNS
    finally:
        subprocess.run(["ip", "netns", "delete", NETNS])
        shutil.rmtree(HOSTS.parent, ignore_errors=True)


def test_a_name_with_several_addresses_spreads_calls_and_is_re_resolved(netns, tmp_path):
    replicas = start(["127.0.0.2", "127.0.0.3", "127.0.0.4"], netns=netns)
    try:
        index = "http://127.0.0.2:%d/simple/" % replicas[0].ports["http"]
        pip = in_netns(sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
                       "--target", str(tmp_path), "--index-url", index, GRAFT, timeout=300)
        assert pip.returncode == 0, pip.stdout + pip.stderr
        client = subprocess.Popen(
            ["ip", "netns", "exec", netns, sys.executable, str(FIXTURE / "dns_client.py"), str(tmp_path),
             str(replicas[0].ports["tcp"])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = json.loads(client.stdout.readline() or "null")
        assert first is not None and set(first) == {"127.0.0.2", "127.0.0.3"}, (first, client.stderr.read())
        assert min(first.values()) >= 240 * 0.25, first
        with open(HOSTS, "r+") as f:  # in place: the namespace's /etc/hosts is this very file
            f.seek(0, 2)
            f.write("127.0.0.4 replicas.test\n")
        out, err = client.communicate("go\n", timeout=60)
        second = json.loads(out.splitlines()[-1])
        assert set(second) == {"127.0.0.2", "127.0.0.3", "127.0.0.4"}, (second, err)
        assert client.returncode == 0, err
    finally:
        for replica in replicas:
            replica.stop()
