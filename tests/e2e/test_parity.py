"""In-process and remote calls behave the same: one caller suite, run in each mode, compared.

Needs the Shop Graft from a real gateway's index, installed with real pip.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import Gateway

PARITY = Path(__file__).parent / "fixtures" / "parity"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib")
    with Gateway("--modules", str(PARITY / "shop.py"), tcp=True) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", "graft-pypi-shop"],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        yield gg, lib


def run_caller(lib, host):
    config = "name=graft-pypi-shop;host=%s;runtime=python;modules=%s" % (host, PARITY)
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, str(PARITY / "caller.py")], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_in_process_and_remote_agree(shop):
    gg, lib = shop
    local = run_caller(lib, "inMemory")
    remote = run_caller(lib, "127.0.0.1:%d" % gg.tcp_port)
    for name in local:
        assert local[name] == remote[name], name
    assert local == remote


def test_the_suite_sees_the_right_values(shop):
    """Equal is not enough: both modes must also be right."""
    gg, lib = shop
    r = run_caller(lib, "127.0.0.1:%d" % gg.tcp_port)
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


def is_graft_type(qualified, name):
    """A class of the Graft's own (not the hosted module's, not a dict)."""
    return qualified.startswith("graft_pypi_shop") and qualified.endswith("." + name)
