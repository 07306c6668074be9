"""The structured types real code uses (issue 14): pydantic models, Literal,
NamedTuple, TypedDict, IntEnum/StrEnum/Flag, dataclass forms and spellings
that reduce to another type; over HTTP, and through a pip-installed graft
in-process and remote (one caller, its values checked here; test_parity.py
compares its two transcripts).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import Gateway, request

REALCODE = Path(__file__).parent / "fixtures" / "realcode"


@pytest.fixture(scope="module")
def orders(tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib")
    with Gateway("--modules", str(REALCODE / "orders.py"), tcp=True) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", "graft-pypi-orders"],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        yield gg, lib


def run_caller(lib, host):
    config = "name=graft-pypi-orders;host=%s;runtime=python;modules=%s" % (host, REALCODE)
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, str(REALCODE / "orders_caller.py")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def call(gg, method, body):
    return request("%s/call/Orders/%s" % (gg.web, method), body)


def test_the_suite_sees_the_right_values(orders):
    gg, lib = orders
    for host in ("inMemory", "127.0.0.1:%d" % gg.tcp_port):
        r = run_caller(lib, host)
        placed = r["model"]["returned"]
        assert placed["type"] == "graft_pypi_orders.Order"
        assert placed["fields"]["status"] == {"type": "builtins.str", "value": "paid"}
        assert [t["value"] for t in placed["fields"]["tags"]["items"]] == ["gift", "placed"]
        assert placed["fields"]["customer"]["type"] == "graft_pypi_orders.Customer"
        assert placed["fields"]["ref"]["value"] == "ref-4"  # left out by the caller: the model's default_factory ran
        assert r["nested model"]["returned"]["fields"]["name"]["value"] == "Bob"
        assert r["async model"]["returned"]["fields"]["status"]["value"] == "paid"
        assert r["async model invalid"]["raised"] == "builtins.TypeError"
        assert "customer.name" in r["async model invalid"]["str"]
        walked = r["stream of namedtuples"]["returned"]["items"]
        assert [p["type"] for p in walked] == ["graft_pypi_orders.Point"] * 2
        assert walked[1]["fields"]["x"] == {"type": "builtins.float", "repr": "4.0"}
        quantities = r["model list"]["returned"]["items"]  # remotely, sent in parts of 2,500 (tables of models)
        assert len(quantities) == 6001 and quantities[2] == [{"type": "builtins.int", "value": 3}, {"type": "builtins.int", "value": 5}]
        in_list = r["model in list invalid"]["str"]
        assert "lines.1.qty" in in_list and "greater than 0" in in_list, in_list
        invalid = r["model invalid"]  # a bad argument: TypeError with pydantic's text, in both modes
        assert invalid["raised"] == "builtins.TypeError", invalid
        assert invalid["str"].startswith("1 validation error for Order\norderId\n  Input should be greater than 0")
        nested = r["nested model invalid"]["str"]
        assert "customer.name" in nested and "at least 1 character" in nested, nested
        assert "status" in r["model literal invalid"]["str"]
        assert r["literal"]["returned"]["value"] == "5 is shipped"
        refused = r["literal refused"]
        assert refused["raised"] == "builtins.TypeError"
        assert refused["str"] == ("argument `status` has the wrong type: status: expected "
                                  "Literal['new', 'paid', 'shipped'], got \"bogus\"")
        assert r["optional literal"]["returned"]["value"] == "unset"
        assert r["literals in containers"]["returned"]["value"] == 3
        assert r["literal in a list refused"]["str"] == ("argument `statuses` has the wrong type: statuses[1]: expected "
                                                       "Literal['new', 'paid', 'shipped'], got \"lost\"")
        assert r["literal in a dict refused"]["str"].startswith("argument `by_order` has the wrong type: by_order[...]: ")
        assert r["optional literal refused"]["raised"] == "builtins.TypeError"
        point = r["namedtuple"]["returned"]
        assert point["type"] == "graft_pypi_orders.Point"
        assert point["fields"] == {"x": {"type": "builtins.float", "repr": "2.0"}, "y": {"type": "builtins.float", "repr": "1.0"}}
        assert r["namedtuple from tuples"]["returned"] == point
        assert r["typeddict"]["returned"]["value"] == "1 Main St, Oslo"
        assert r["typeddict notrequired"]["returned"]["value"] == "1 Main St, Oslo (back door)"
        moved = dict((k["value"], v["value"]) for k, v in r["typeddict out"]["returned"]["items"])
        assert moved == {"street": "1 Main St", "city": "Bergen"}
        assert r["intenum"]["returned"] == {"type": "graft_pypi_orders.Priority", "member": "HIGH", "value": 3}
        assert r["strenum"]["returned"]["value"] == "WEB"
        assert r["flag"]["returned"]["value"] == 7 and r["flag"]["returned"]["type"] == "graft_pypi_orders.Perm"
        money = r["frozen and inherited"]["returned"]
        assert money["type"] == "graft_pypi_orders.Money" and money["fields"]["cents"]["value"] == 425
        assert r["frozen hashes"]["returned"]["value"] == 2
        assert r["recursive in"]["returned"]["value"] == 3
        grown = r["recursive out"]["returned"]["fields"]["children"]["items"]
        assert [c["fields"]["name"]["value"] for c in grown] == ["a", "b", "c"]
        assert grown[0]["fields"]["children"]["items"][0]["type"] == "graft_pypi_orders.Category"
        assert r["spellings"]["returned"]["value"] == 750
        assert r["spellings union"]["returned"]["value"] == "1.5 kg"


def test_http_literal_is_checked_before_python_runs(orders):
    gg, _ = orders
    ok = call(gg, "set_status", {"order_id": 5, "status": "paid"})
    assert ok.status == 200 and ok.json() == "5 is paid"
    refused = call(gg, "set_status", {"order_id": 5, "status": "bogus"})
    assert refused.status == 400
    assert "Literal['new', 'paid', 'shipped']" in refused.json()["error"]["message"]


def test_http_pydantic_model(orders):
    gg, _ = orders
    body = {"order": {"orderId": 3, "customer": {"name": "Ann"}, "tags": ["x"]}}
    placed = call(gg, "place", body)
    assert placed.status == 200, placed.body
    assert placed.json() == {"order_id": 3, "customer": {"name": "Ann", "email": None}, "status": "paid",
                             "qty": 1, "tags": ["x", "placed"], "lines": [], "ref": "ref-4"}
    by_name = call(gg, "place", {"order": {"order_id": 4, "customer": {"name": "Ann"}}})
    assert by_name.status == 200 and by_name.json()["order_id"] == 4
    invalid = call(gg, "place", {"order": {"orderId": 3, "customer": {"name": "Ann"}, "qty": 0}})
    assert invalid.status == 400, invalid.body
    error = invalid.json()["error"]
    assert error["type"] == "ArgumentError" and "validation error for Order\nqty\n" in error["message"], error
    literal = call(gg, "place", {"order": {"orderId": 3, "customer": {"name": "Ann"}, "status": "lost"}})
    assert literal.status == 400 and "order.status" in literal.json()["error"]["message"]


def test_http_structured_types(orders):
    gg, _ = orders
    assert call(gg, "midpoint", {"a": {"x": 0, "y": 2}, "b": {"x": 4}}).json() == {"x": 2.0, "y": 1.0}
    assert call(gg, "midpoint", {"a": [0, 2], "b": [4]}).json() == {"x": 2.0, "y": 1.0}
    assert call(gg, "label", {"address": {"street": "S", "city": "C"}}).json() == "S, C"
    missing = call(gg, "label", {"address": {"street": "S"}})
    assert missing.status == 400 and "address.city" in missing.json()["error"]["message"]
    unknown = call(gg, "label", {"address": {"street": "S", "city": "C", "zip": 1}})
    assert unknown.status == 400 and "zip" in unknown.json()["error"]["message"]
    assert call(gg, "grant", {"perm": 1, "extra": 6}).json() == 7
    assert call(gg, "grant", {"perm": 1, "extra": 8}).status == 400
    assert call(gg, "escalate", {"p": 1}).json() == 2
    assert call(gg, "channel_name", {"c": "shop"}).json() == "SHOP"
    assert call(gg, "total", {"items": [{"sku": "a", "price": {"cents": 5}}]}).json() == {"cents": 5, "currency": "EUR"}
    assert call(gg, "depth", {"tree": {"name": "r", "children": [{"name": "a"}]}}).json() == 2
    assert call(gg, "weigh", {"grams": 2, "counts": {"a": 3}, "names": ["a"]}).json() == 6


def test_openapi_schemas(orders):
    gg, _ = orders
    doc = request(gg.web + "/openapi.json").json()
    from openapi_spec_validator import validate

    validate(doc)
    schemas = doc["components"]["schemas"]
    assert schemas["Address"]["required"] == ["street", "city"]
    assert set(schemas["Address"]["properties"]) == {"street", "city", "note"}
    assert schemas["Perm"]["type"] == "integer"
    assert schemas["Point"]["required"] == ["x"]
    # a pydantic model's checks, as pydantic's own JSON schema words them
    assert schemas["Order"]["properties"]["order_id"] == {"type": "integer", "format": "int64", "exclusiveMinimum": 0}
    assert schemas["Customer"]["properties"]["name"]["minLength"] == 1
    text = json.dumps(doc)
    assert '"enum": ["new", "paid", "shipped"]' in text
