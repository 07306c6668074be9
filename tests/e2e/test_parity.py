"""In-process and remote calls behave the same: each caller suite, run in
each mode, its two transcripts compared. One parity suite covers the
callers of every fixture project: the shop (fixtures/parity), the scalars,
structured types and remote objects real code uses (fixtures/realcode), and
streams (fixtures/streams). Each is hosted by a real gg, its grafts
installed from gg's index with real pip; the files that test each project
check what the values must be.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import Gateway

FIXTURES = Path(__file__).parent / "fixtures"
PARITY, REALCODE, STREAMS = FIXTURES / "parity", FIXTURES / "realcode", FIXTURES / "streams"

# name: (the hosted module, its grafts, the caller; in-process, the caller imports the module's folder)
SUITES = {
    "shop": (PARITY / "shop.py", ["graft-pypi-shop"], PARITY / "caller.py"),
    "scalars": (REALCODE / "money.py", ["graft-pypi-catalog", "graft-pypi-rooms", "graft-pypi-ledger"],
                REALCODE / "money_caller.py"),
    "structured": (REALCODE / "orders.py", ["graft-pypi-orders"], REALCODE / "orders_caller.py"),
    "objects": (REALCODE / "carts.py", ["graft-pypi-cart", "graft-pypi-shop", "graft-pypi-till"],
                REALCODE / "caller_objects.py"),
    "streams": (STREAMS / "feed.py", ["graft-pypi-feed"], STREAMS / "caller.py"),
}
# Entries whose message alone may differ: gg's argument check words it
# remotely, and in-process range() does (as for plain calls).
WORDED_APART = {"streams": ["bad argument"]}

_transcripts = {}


def transcripts(name, tmp_path_factory):
    """The suite's (in-process, remote) transcripts, run once per test session."""
    if name not in _transcripts:
        module, grafts, caller = SUITES[name]
        lib = tmp_path_factory.mktemp("lib-" + name)
        env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path_factory.mktemp("state-" + name)))
        with Gateway("--modules", str(module), tcp=True, env=env) as gg:
            out = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
                 "--target", str(lib), "--index-url", gg.web + "/simple/", *grafts],
                capture_output=True, text=True, timeout=300,
            )
            assert out.returncode == 0, out.stdout + out.stderr
            hosts = ["inMemory", "127.0.0.1:%d" % gg.tcp_port]
            _transcripts[name] = [run_caller(caller, lib, host) for host in hosts]
    return _transcripts[name]


def run_caller(caller, lib, host):
    env = dict(os.environ, GRAFT_CONFIG="host=%s;runtime=python;modules=%s" % (host, caller.parent),
               PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, str(caller)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", SUITES)
def test_in_process_and_remote_agree(name, tmp_path_factory):
    local, remote = transcripts(name, tmp_path_factory)
    for entry in WORDED_APART.get(name, []):
        local[entry].pop("str"), remote[entry].pop("str")
    for entry in local:
        assert local[entry] == remote[entry], entry
    assert local == remote


def test_the_shop_suite_sees_the_right_values(tmp_path_factory):
    """Equal is not enough: both modes must also be right."""
    _, r = transcripts("shop", tmp_path_factory)
    assert r["int max"]["returned"] == {"type": "builtins.int", "value": 2**63 - 1}
    assert r["float as int"]["returned"] == {"type": "builtins.float", "repr": "3.0"}
    assert r["tuple"]["returned"]["type"] == "builtins.tuple"
    assert r["set"]["returned"]["type"] == "builtins.set"
    order = r["dataclass out"]["returned"]
    assert is_graft_type(order["type"], "Order")
    first_line = order["fields"]["lines"]["items"][1]
    assert is_graft_type(first_line["type"], "Line")
    color = first_line["fields"]["color"]
    assert is_graft_type(color.pop("type"), "Color") and color == {"member": "GREEN", "value": "green"}
    assert order["fields"]["placed"] == {"type": "datetime.datetime", "iso": "2026-01-02T03:04:05.006000+00:00"}
    assert r["dataclass in"]["returned"] == {"type": "builtins.float", "repr": "5.0"}
    lines = r["long list"]["returned"]["items"]  # remotely, in parts of 2,500 and the last 1,001
    assert len(lines) == 6001 and all(is_graft_type(line["type"], "Line") for line in lines)
    assert [line["fields"]["sku"]["value"] for line in lines] == ["sku%d" % i for i in range(6001)]
    tagged = r["long list for a tuple"]["returned"]["items"]  # a tuple parameter gets a tuple, in parts or not
    assert [t["value"] for t in tagged] == ["tuple", 6000]
    counted = r["long argument"]["returned"]["items"]  # remotely, sent in parts of 2,500 and the last 1,001
    assert [c.get("value", c.get("repr")) for c in counted] == [6001, repr(2 * 0.5 * sum(range(6001))), "s6000"]
    priority = r["enums"]["returned"]["items"][0]
    assert is_graft_type(priority.pop("type"), "Priority") and priority == {"member": "HIGH", "value": 2}
    assert r["KeyError"] == {"raised": "builtins.KeyError", "str": "'nope'", "args": [{"type": "builtins.str", "value": "nope"}]}
    assert r["ZeroDivisionError"]["raised"] == "builtins.ZeroDivisionError"
    assert r["ZeroDivisionError"]["str"] == "division by zero"
    assert r["ValueError"]["str"] == "invalid literal for int() with base 10: 'twelve'"
    custom = r["custom"]
    assert is_graft_type(custom["raised"], "OutOfStock")
    assert custom["fields"] == {"sku": "sku-9", "wanted": 3}
    assert custom["str"] == "sku-9 is out of stock (wanted 3)"
    assert r["concurrent"]["returned"]["items"][49] == {"type": "builtins.int", "value": 98}
    refused = {name: (r[name]["raised"], r[name]["str"]) for name in REFUSED}
    assert refused == {name: ("builtins.TypeError", text) for name, text in REFUSED.items()}
    for name in ("metadata and trace", "metadata and trace, async"):
        seen = [[item[1]["value"] for item in d["items"]] for d in r[name]["returned"]["items"]]
        assert [s[1:] for s in seen] == [["ann", "4bf92f3577b34da6a3ce929d0e0e4736"]] * 3, seen


# Arguments a gateway refuses before the method runs; in-process refuses them too, with the same text.
REFUSED = {
    "a str for an int": 'argument `x` has the wrong type: x: expected int, got "5"',
    "a bool for an int": "argument `x` has the wrong type: x: expected int, got true",
    "a str for a float": 'argument `x` has the wrong type: x: expected float, got "1.5"',
    "a str in a dict": "argument `values` has the wrong type: values[...]: expected str, got 2",
    "an int for a str in a tuple": 'argument `a` has the wrong type: a: expected int, got "1"',
    "a subclass for its dataclass": ('argument `lines` has the wrong type: lines[1]: expected Line, '
                                     'got {"color":"red","price":0.5,"qty":2,"sku":"b"}'),
}


def is_graft_type(qualified, name):
    """A class of the Graft's own (not the hosted module's, not a dict)."""
    return qualified.startswith("graft_pypi_shop") and qualified.endswith("." + name)
