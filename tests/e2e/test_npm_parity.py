"""Parity: the shop caller suite through the TypeScript graft gives the same
transcript as the Python graft's (fixtures/parity/caller.py) against the same
provider over TCP, once each value is written in a form both languages share
(an enum as its value, a set sorted, a dict with other than str keys as pairs,
an exception as its Python type's name, message and fields). Metadata and a
trace go in a `GraftConfig.withHeaders` block, as caller.py's `with
GraftConfig.headers(...)`. Two differences are stated, not hidden: values of
the wrong type are refused by the TypeScript graft before sending (REFUSED_HERE),
and a dataclass subclass has no TypeScript form (PYTHON_ONLY)."""

import json
import os
import subprocess
import sys

from gateway import Gateway
from test_npm_graft import FIXTURES, PACKAGE, new_project, npm_install, tsc
from test_parity import SUITES, run_caller

# A graft dataclass has no subclasses in TypeScript (an interface: a plain object is the value).
PYTHON_ONLY = {"a subclass for its dataclass"}
# Values of the wrong type: the gateway refuses them with its TypeError; the TypeScript graft (whose
# types reject them at compile time) refuses them before sending, with a JavaScript TypeError.
REFUSED_HERE = {
    "a str for an int": '"5" is not a int', "a bool for an int": "true is not a int",
    "a str for a float": '"1.5" is not a float', "a str in a dict": "2 is not a str",
    "an int for a str in a tuple": '"1" is not a int',
}
NON_FINITE = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}


def plain(d):
    """The Python caller's `describe` form as the plain value the TypeScript caller prints."""
    if "member" in d:
        return d["value"]
    if "fields" in d:
        return {k: plain(v) for k, v in d["fields"].items()}
    if "b64" in d:
        return {"b64": d["b64"]}
    if "iso" in d:
        return d["iso"]
    if "repr" in d:
        return {"float": NON_FINITE[d["repr"]]} if d["repr"] in NON_FINITE else float(d["repr"])
    if d["type"] == "builtins.set":
        return sorted(plain(json.loads(item)) for item in d["items"])
    if d["type"] == "builtins.dict":
        pairs = [[plain(k), plain(v)] for k, v in d["items"]]
        return dict(pairs) if all(isinstance(k, str) for k, _ in pairs) else {"map": pairs}
    if "items" in d:
        return [plain(item) for item in d["items"]]
    return d["value"]


def python_transcript(result):
    if "returned" in result:
        return {"returned": plain(result["returned"])}
    out = {"raised": result["raised"].rsplit(".", 1)[-1], "str": result["str"]}
    if "fields" in result:
        out["fields"] = result["fields"]
    return out


def test_typescript_and_python_callers_see_the_same(tmp_path):
    lib = tmp_path / "lib"
    with Gateway("--modules", str(FIXTURES / "parity" / "shop.py"), tcp=True) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", "graft-pypi-shop"],
            capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        python = {k: python_transcript(v) for k, v in run_caller(SUITES["shop"][2], lib, "127.0.0.1:%d" % gg.tcp_port).items()}
        project = new_project(tmp_path / "project")
        out = npm_install(project, gg.web + "/npm/", packages=[PACKAGE])
        assert out.returncode == 0, out.stdout + out.stderr
        out = tsc(project, "tsconfig.parity.json")
        assert out.returncode == 0, out.stdout + out.stderr
        env = dict(os.environ, GRAFT_CONFIG="name=graft-pypi-shop;host=127.0.0.1:%d" % gg.tcp_port)
        out = subprocess.run(["node", "out/parity.js"], cwd=project, env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        typescript = json.loads(out.stdout)
    assert len(python) == 36 and set(python) - set(typescript) == PYTHON_ONLY
    for name in set(python) - PYTHON_ONLY:
        if name in REFUSED_HERE:
            assert typescript[name]["raised"] == python[name]["raised"] == "TypeError", name
            assert typescript[name]["str"].endswith(REFUSED_HERE[name]), typescript[name]
            continue
        assert typescript[name] == python[name], name
    assert python["custom"]["fields"] == {"sku": "sku-9", "wanted": 3}
    assert python["int max"]["returned"] == 2**63 - 1
