"""`gg --types` and `--methods`, against the real gg hosting
tests/e2e/fixtures/svc and tests/e2e/fixtures/streams/feed.py with
`--types Feed --methods Inventory.add,Inventory.stock`: Feed keeps every
method, Inventory only those two; everything else answers 404 on every
surface (HTTP, TCP, /libraries and so Vision, OpenAPI, the grafts)."""

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from gateway import Gateway, request, run_gg
from test_objects_tcp import Client

FIXTURES = Path(__file__).parent / "fixtures"
MODULES = "%s,%s" % (FIXTURES / "svc", FIXTURES / "streams" / "feed.py")
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
NOT_FOUND = 1


@pytest.fixture(scope="module")
def gg():
    args = ["--types", "Feed", "--methods", "Inventory.add,Inventory.stock"]
    with Gateway("--modules", MODULES, tcp=True, args=args, env=ENV) as gateway:
        yield gateway


def test_http_calls(gg):
    assert gg.call("Inventory", "add", {"a": 2, "b": 3}).json() == 5
    assert gg.call("Inventory", "stock", {"sku": "A", "count": 1}).status == 200
    assert gg.call("Feed", "count", {"n": 2}).status == 200
    for hidden in ("reserve", "greet", "blob"):
        r = gg.call("Inventory", hidden, {})
        assert r.status == 404 and r.json()["error"]["type"] == "NotFound", (hidden, r.body)
    # The web side's call API is the same.
    assert request(gg.web + "/call/Inventory/greet", data={}).status == 404
    assert request(gg.web + "/call/Inventory/add", data={"a": 1}).status == 200


def test_tcp_calls(gg):
    client = Client(gg.tcp_port)
    try:
        assert client.call("Inventory", "add", 2, 3) == 5
        hidden = client.call("Inventory", "greet")
        assert hidden.status == NOT_FOUND, hidden
    finally:
        client.close()


def test_libraries_and_vision_list_only_what_is_exposed(gg):
    libraries = request(gg.web + "/libraries").json()
    methods = {s["name"]: sorted(m["name"] for m in s["methods"]) for s in libraries["services"]}
    assert methods["Inventory"] == ["add", "stock"], methods
    assert set(methods) == {"Inventory", "Feed"} and len(methods["Feed"]) > 1
    assert request(gg.web + "/GV").status == 200  # Vision draws from /libraries


def test_openapi_has_only_the_exposed_paths(gg):
    paths = request(gg.web + "/openapi.json").json()["paths"]
    inventory = sorted(p for p in paths if p.startswith("/call/Inventory/"))
    assert inventory == ["/call/Inventory/add", "/call/Inventory/stock"], inventory
    assert any(p.startswith("/call/Feed/") for p in paths)


def graft_source(gg, name):
    """The `__init__.py` of the newest graft of service `name` (lower case), from gg's index.

    The index keeps every earlier version too (the state folder is shared by
    the tests' gateways), so the newest is the one this gateway built."""
    page = request(gg.web + "/simple/graft-pypi-%s/" % name).body.decode()
    wheels = [part.split("#")[0] for part in page.split('href="../../packages/')[1:]]
    wheel = max(wheels, key=lambda w: tuple(int(n) for n in w.split("-")[1].split(".")))
    body = request(gg.web + "/packages/" + wheel).body
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return z.read("graft_pypi_%s/__init__.py" % name).decode()


def test_the_grafts_carry_only_the_exposed_methods(gg):
    init = graft_source(gg, "inventory")
    assert "def add(" in init and "def stock(" in init
    assert "def greet(" not in init and "def reserve(" not in init


def test_with_methods_only_unnamed_services_are_gone(tmp_path):
    args = ["--methods", "Inventory.add"]
    with Gateway("--modules", MODULES, tcp=True, args=args, env=ENV) as gg:
        assert gg.call("Feed", "count", {"n": 1}).status == 404
        assert gg.call("Inventory", "add", {"a": 1}).json() == 2
        names = [s["name"] for s in request(gg.web + "/libraries").json()["services"]]
        assert names == ["Inventory"], names
        assert request(gg.web + "/simple/graft-pypi-feed/").status == 404
        assert "graft-pypi-feed" not in request(gg.web + "/simple/").body.decode()
        # Row and Broken (Feed's), Stock and Unit (Inventory.stock's) are gone
        # too; OutOfStock stays, an exception of Inventory's module.
        types = [t["name"] for t in request(gg.web + "/libraries").json()["types"]]
        assert types == ["OutOfStock"], types
        schemas = request(gg.web + "/openapi.json").json().get("components", {}).get("schemas", {})
        assert not {"Row", "Broken", "Stock", "Unit"} & set(schemas), sorted(schemas)
        init = graft_source(gg, "inventory")
        assert "class Stock" not in init and "class Unit" not in init and "class OutOfStock" in init


def test_types_of_exposed_methods_stay(gg):
    types = {t["name"] for t in request(gg.web + "/libraries").json()["types"]}
    assert types == {"Row", "Broken", "Stock", "Unit", "OutOfStock"}, types


@pytest.mark.parametrize("args, needle", [
    (["--types", "Nope"], "--types names Nope"),
    (["--methods", "Inventory.nope"], "--methods names Inventory.nope"),
    (["--methods", "add"], "Service.method"),
])
def test_a_name_that_matches_nothing_stops_gg(args, needle):
    out = run_gg("--modules", MODULES, "--port", "0", "--httpPort", "0", *args, env=ENV)
    assert out.returncode == 2 and needle in out.stderr, (out.returncode, out.stderr)
