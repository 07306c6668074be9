"""TypeScript grafts from gg's own npm registry, end to end.

The real gg hosts the parity shop (fixtures/parity/shop.py) with its TCP
server; real npm installs `@graft/pypi-shop` from gg's `/npm/` into an empty
folder, with every other registry unreachable (a dead proxy); the real tsc
(typescript/node_modules, scripts/setup.sh installs it) checks a correct and
a wrong consumer (fixtures/npm/) with --strict and exactOptionalPropertyTypes;
node runs the correct one against gg over TCP and over HTTP.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway import ROOT, Gateway, request

FIXTURES = Path(__file__).parent / "fixtures"
TSC = ROOT / "typescript" / "node_modules" / ".bin" / "tsc"
PACKAGE = "@graft/pypi-shop"


def npm_install(project, registry, packages=(PACKAGE,)):
    """`npm install` of `packages` into `project`, from `registry` alone."""
    dead = "http://127.0.0.1:9"  # any other registry goes through a proxy that is not there
    command = ["npm", "install", "--registry", registry, "--proxy", dead, "--https-proxy", dead,
               "--noproxy", "127.0.0.1", "--cache", str(project / ".npm-cache"), "--no-audit", "--no-fund",
               "--fetch-retries", "0", *packages]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)


def new_project(path):
    path.mkdir()
    (path / "package.json").write_text(json.dumps({"name": "consumer", "private": True, "type": "module"}))
    for name in os.listdir(FIXTURES / "npm"):
        shutil.copy(FIXTURES / "npm" / name, path / name)
    return path


def tsc(project, config):
    """tsc on one consumer: tsconfig.json (strict, exactOptionalPropertyTypes) or tsconfig.wrong.json."""
    assert TSC.exists(), "%s is missing: run scripts/setup.sh" % TSC
    return subprocess.run([str(TSC), "-p", config], cwd=project, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """gg with the shop and its TCP server, and a project with the graft installed from it."""
    project = new_project(tmp_path_factory.mktemp("npm") / "project")
    with Gateway("--modules", str(FIXTURES / "parity" / "shop.py"), tcp=True) as gg:
        out = npm_install(project, gg.web + "/npm/")
        assert out.returncode == 0, out.stdout + out.stderr
        yield gg, project


def test_npm_installs_the_graft_from_gg_alone(installed):
    gg, project = installed
    folder = project / "node_modules" / "@graft" / "pypi-shop"
    manifest = json.loads((folder / "package.json").read_text())
    assert manifest["name"] == PACKAGE and manifest["type"] == "module"
    assert not manifest.get("dependencies"), "a graft depends on nothing"
    assert (folder / "index.d.ts").exists() and (folder / "runtime" / "tcp.js").exists()
    lock = json.loads((project / "package-lock.json").read_text())["packages"]["node_modules/@graft/pypi-shop"]
    doc = request(gg.web + "/npm/@graft%2fpypi-shop").json()
    version = doc["dist-tags"]["latest"]
    assert lock["version"] == version
    tarball = request(doc["versions"][version]["dist"]["tarball"]).body
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    assert lock["integrity"] == integrity == doc["versions"][version]["dist"]["integrity"]
    assert request(doc["versions"][version]["dist"]["tarball"]).body == tarball, "the same bytes each time"


def test_an_unknown_package_is_404(installed):
    gg, _ = installed
    missing = request(gg.web + "/npm/@graft%2fpypi-nope")
    assert missing.status == 404 and "@graft/pypi-<service" in missing.json()["error"]
    assert request(gg.web + "/npm/@graft/pypi-shop/-/pypi-shop-9.9.9.tgz").status == 404


def test_tsc_strict_accepts_the_correct_consumer(installed):
    _, project = installed
    out = tsc(project, "tsconfig.json")
    assert out.returncode == 0, out.stdout + out.stderr
    config = json.loads((project / "tsconfig.json").read_text())["compilerOptions"]
    assert config["strict"] and config["exactOptionalPropertyTypes"]


def test_tsc_strict_rejects_a_wrong_argument_type(installed):
    _, project = installed
    out = tsc(project, "tsconfig.wrong.json")
    assert out.returncode != 0
    assert "wrong.ts(4," in out.stdout and "TS2345" in out.stdout, out.stdout
    assert "'string' is not assignable to parameter of type 'Int'" in out.stdout, out.stdout


EXPECTED = {
    "int max": "9223372036854775807n",
    "int min": "-9223372036854775808n",
    "int small": 41,
    "float": 0.30000000000000004,
    "float as int": 3,
    "bytes": {"bytes": [0, 1, 255]},
    "text": "naïve ☃ \u0000 end",
    "tuple": [1, "a"],
    "set": ["X", "Y"],
    "int keys": {"map": [[10, "a"], [20, "b"]]},
    "optional": [None, 42, None],
    "enums": [2, "red"],
    "datetimes": ["2026-01-02T00:30:00.000001+02:00", "2024-02-29"],
    "date object": ["2026-01-01T13:00:00+00:00", "2024-02-29"],
    "dataclass out": {
        "id": 7,
        "lines": [{"sku": "sku0", "qty": 0, "price": 0, "color": "red"},
                  {"sku": "sku1", "qty": 1, "price": 1.5, "color": "green"}],
        "placed": "2026-01-02T03:04:05.006000+00:00", "due": "2026-02-03", "tags": ["a", "b"],
        "notes": None, "meta": {"n": 2},
    },
    "dataclass in": [2, 10, "y"],
    "long list": 6001,
    "async": 42,
    "classmethod": "Shop!",
    "raised": ["OutOfStock", "H-1 is out of stock (wanted 3)", "H-1", 3],
    "builtin": ["RemoteError", "ZeroDivisionError", "builtins", "division by zero"],
}


@pytest.mark.parametrize("transport", ["tcp", "http"])
def test_node_runs_the_consumer_against_gg(installed, transport):
    gg, project = installed
    out = tsc(project, "tsconfig.json")
    assert out.returncode == 0, out.stdout + out.stderr
    host = "127.0.0.1:%d" % gg.tcp_port if transport == "tcp" else gg.calls
    env = dict(os.environ, GRAFT_CONFIG="name=graft-pypi-shop;host=%s;timeout=30" % host)
    out = subprocess.run(["node", "out/consumer.js"], cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout) == EXPECTED


def test_npm_sends_its_auth_token(tmp_path):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("ci=s3cret-token\n")
    with Gateway("--modules", str(FIXTURES / "parity" / "shop.py"), args=("--authTokens", str(tokens))) as gg:
        refused = new_project(tmp_path / "refused")
        out = npm_install(refused, gg.web + "/npm/")
        assert out.returncode != 0 and "401" in out.stdout + out.stderr, out.stdout + out.stderr
        project = new_project(tmp_path / "admitted")
        (project / ".npmrc").write_text("//127.0.0.1:%d/npm/:_authToken=s3cret-token\n" % gg.http_port)
        out = npm_install(project, gg.web + "/npm/")
        assert out.returncode == 0, out.stdout + out.stderr
        assert (project / "node_modules" / "@graft" / "pypi-shop" / "index.js").exists()


OBJECTS_STREAMS = {
    "add": [1, 2],
    "describe": "ann: 2 lines, 3.00 EUR",
    "ordered": [["a"], ["a", "b"], ["a", "b", "c"]],
    "factory": [True, "bob: 0 lines, 0.00 USD"],
    "merge": 3,
    "released": ["ann", "bob"],
    "after close": True,
    "constructor": ["ValueError", "a cart needs an owner"],
    "count": [0, 1, 2, 3, 4],
    "rows": [{"n": 0, "name": "row-0"}, {"n": 1, "name": "row-1"}],
    "break": [[0, 1], "closed"],
    "signal": ["enough", 2, "closed"],
    "failing": [[0, 1], 2, "broke after 2 items"],
}


@pytest.mark.parametrize("transport", ["tcp", "http"])
def test_remote_objects_and_streams(tmp_path, transport):
    """Cart objects (constructor, methods in order, a factory, close(), Symbol.asyncDispose,
    ReleasedObjectError) and Feed streams (items, break, AbortSignal, an error part-way),
    with the provider's generators seen closed; over TCP and over HTTP."""
    modules = "%s,%s" % (FIXTURES / "realcode" / "carts.py", FIXTURES / "streams" / "feed.py")
    with Gateway("--modules", modules, tcp=True) as gg:
        project = new_project(tmp_path / "project")
        out = npm_install(project, gg.web + "/npm/", packages=[PACKAGE, "@graft/pypi-feed"])
        assert out.returncode == 0, out.stdout + out.stderr
        out = tsc(project, "tsconfig.objects.json")
        assert out.returncode == 0, out.stdout + out.stderr
        host = "127.0.0.1:%d" % gg.tcp_port if transport == "tcp" else gg.calls
        env = dict(os.environ, GRAFT_CONFIG="host=%s;timeout=30" % host)
        out = subprocess.run(["node", "out/objects_streams.js"], cwd=project, env=env, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        assert json.loads(out.stdout) == OBJECTS_STREAMS


SCALARS = {
    "decimal": ["2.20", "0.3", "2E+3"],
    "decimal fields": ["15.00", "12.50", {"sku": "x", "amount": "19.90", "currency": "EUR"},
                       {"sku": "b", "amount": "2.50", "currency": "USD"}, None],
    "union": ["str:1.5", "label:net", "label:3"],
    "literal keys": 3,
    "uuid": ["d697d79f-1ead-5742-bfa6-a31b0e5f8e75", "d697d79f-1ead-5742-bfa6-a31b0e5f8e75 v5"],
    "timedelta": ["P1DT1H30M", "PT1M29S", 1.5],
    "time": ["09:30:00", "10:00:00.250000+01:00", "00:10:00.000001+05:30"],
    "datetime": ["2026-03-01T11:00:00.123456-04:00", 5.75, None],
    "dataclass": [{"id": "d697d79f-1ead-5742-bfa6-a31b0e5f8e75", "room": "blue", "starts": "2026-03-02T09:00:00+01:00",
                   "length": "PT2H", "opens": "09:30:00", "deposit": "50.00"}, "2026-03-02T11:00:00+01:00"],
    "any": ["int", "float", "str", "list", "NoneType"],
    "bad return": ["TypeError", "Ledger.count returned a value of type str where its annotation says int", "string"],
}


def test_scalars_cross_alike_over_tcp_and_http(tmp_path):
    """Decimal and UUID as text, timedelta as ISO durations, times and aware datetimes with their
    microseconds and offsets, unions (a string is a str first), literal-keyed dicts, Any,
    and a method returning the wrong type: the same answers over TCP and HTTP."""
    with Gateway("--modules", str(FIXTURES / "realcode" / "money.py"), tcp=True) as gg:
        project = new_project(tmp_path / "project")
        out = npm_install(project, gg.web + "/npm/", packages=["@graft/pypi-catalog", "@graft/pypi-rooms",
                                                                 "@graft/pypi-ledger"])
        assert out.returncode == 0, out.stdout + out.stderr
        out = tsc(project, "tsconfig.scalars.json")
        assert out.returncode == 0, out.stdout + out.stderr
        for host in ("127.0.0.1:%d" % gg.tcp_port, gg.calls):
            env = dict(os.environ, GRAFT_CONFIG="host=%s" % host)
            out = subprocess.run(["node", "out/scalars.js"], cwd=project, env=env, capture_output=True, text=True,
                                 timeout=120)
            assert out.returncode == 0, out.stdout + out.stderr
            # A string for Union[Decimal, str] stays a str over HTTP too (the call API
            # takes a JSON string as the str option first), as over TCP.
            assert json.loads(out.stdout) == SCALARS, host
