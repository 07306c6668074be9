"""The parity suite through a broker: each caller suite of test_parity.py
(but the remote objects', which a broker does not carry: docs/BROKER.md)
run with host=redis://... gives what it gives in-process."""

import os
import subprocess
import sys

import pytest

from broker_helpers import taking_calls
from gateway import Gateway
from redis_server import RedisServer
from test_parity import SUITES, WORDED_APART, run_caller, transcripts

THROUGH_A_BROKER = [name for name in SUITES if name != "objects"]


@pytest.fixture(scope="module")
def redis():
    with RedisServer() as server:
        yield server


@pytest.mark.parametrize("name", THROUGH_A_BROKER)
def test_in_process_and_through_a_broker_agree(name, redis, tmp_path_factory):
    local, _ = transcripts(name, tmp_path_factory)
    module, grafts, caller = SUITES[name]
    lib = tmp_path_factory.mktemp("broker-lib-" + name)
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path_factory.mktemp("broker-state-" + name)))
    with taking_calls(Gateway("--modules", str(module), args=["--broker", redis.url], env=env)) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", *grafts],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        queued = run_caller(caller, lib, redis.url)
    local = dict(local)
    for entry in WORDED_APART.get(name, []):
        local[entry] = {k: v for k, v in local[entry].items() if k != "str"}
        queued[entry].pop("str")
    for entry in local:
        assert local[entry] == queued[entry], entry
    assert local == queued
