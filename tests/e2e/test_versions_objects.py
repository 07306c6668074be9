"""Versions from the interface (issue 18) for remote objects: an old graft
calling an instance method that changed, or a constructor that changed,
gets the same clear NotFound as for a static method, over TCP from a real
Python graft and over HTTP's `/objects/...`; what did not change still
answers. The real gg twice on one state folder, real pip."""

import os
import subprocess
import sys

import pytest

from gateway import Gateway, request

V1 = """\
class Cart:
    def __init__(self, owner: str) -> None:
        self.items: list[str] = []

    def add(self, sku: str) -> int:
        self.items.append(sku)
        return len(self.items)

    def total(self) -> int:
        return len(self.items) * 100

    def drop(self, sku: str) -> bool:
        return True


class Till:
    def __init__(self, number: int) -> None:
        self.number = number

    def ring(self) -> int:
        return 1


class Stock:
    @staticmethod
    def count(skus: list[str]) -> int:
        return len(skus)

    @staticmethod
    def size(skus: list[str]) -> int:
        return len(skus)
"""
# 2.0.0: `Cart.total` returns a str, `Cart.drop` removed, `Till`'s constructor
# takes a str, `Stock.count` returns a str.
V2 = (V1.replace("def total(self) -> int:\n        return len(self.items) * 100",
                 'def total(self) -> str:\n        return "%d cents" % (len(self.items) * 100)')
      .replace("    def drop(self, sku: str) -> bool:\n        return True\n\n", "")
      .replace("number: int", "number: str")
      .replace("count(skus: list[str]) -> int:\n        return len(skus)",
               "count(skus: list[str]) -> str:\n        return str(len(skus))"))
assert "def total(self) -> str" in V2 and "number: str" in V2 and "drop" not in V2 and "str(len" in V2

OLD_CALLER = """\
import asyncio, os
from graft_pypi_cart import Cart, GraftConfig
from graft_pypi_stock import GraftConfig as StockConfig
from graft_pypi_stock import Stock
from graft_pypi_till import GraftConfig as TillConfig
from graft_pypi_till import Till

for config in (GraftConfig, StockConfig, TillConfig):
    config.set_config(os.environ["GRAFT_CONFIG"])


async def attempt(label, make):
    try:
        print(label, "answered", await make())
    except Exception as e:
        print(label, "refused", type(e).__name__, str(e).replace(chr(10), " "))


async def main():
    cart = Cart("ann")
    await attempt("add", lambda: cart.add("x"))
    await attempt("total", lambda: cart.total())
    await attempt("drop", lambda: cart.drop("x"))
    till = Till(3)
    await attempt("ring", lambda: till.ring())
    # 6,000 items go ahead in CallParts (transport.py): the Call that ends them is checked.
    await attempt("size", lambda: Stock.size(["a"] * 6000))
    await attempt("count", lambda: Stock.count(["a"] * 6000))
    await attempt("count", lambda: Stock.count(["a"]))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The grafts at 1.0.0 installed; yields gg serving 2.0.0 (TCP on) and the install folder."""
    root = tmp_path_factory.mktemp("versions_objects")
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1.0.0"\n')
    module = root / "shop.py"
    env = dict(os.environ, GRAFT_STATE_DIR=str(root / "state"))
    module.write_text(V1)
    with Gateway(str(module), env=env) as gg:
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
               "--target", str(root / "lib"), "--index-url", gg.web + "/simple/",
               "graft-pypi-cart", "graft-pypi-stock", "graft-pypi-till"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
    module.write_text(V2)
    with Gateway(str(module), env=env, tcp=True) as gg:
        yield gg, root


def test_an_old_graft_calling_objects_over_tcp_gets_a_clear_error(served):
    gg, root = served
    (root / "old_caller.py").write_text(OLD_CALLER)
    env = dict(os.environ, PYTHONPATH=str(root / "lib"), GRAFT_CONFIG="host=127.0.0.1:%d" % gg.tcp_port)
    out = subprocess.run([sys.executable, str(root / "old_caller.py")], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "add answered 1", lines
    assert len(lines) == 7 and lines[4] == "size answered 6000", lines
    for line, what in zip(lines[1:], ["Cart.total", "Cart.drop", "Till.__init__", "", "Stock.count", "Stock.count"]):
        if not what:
            continue
        assert line.split()[1] == "refused", lines
        graft = "graft-pypi-" + what.split(".")[0].lower()
        assert "`%s` of %s 1.0.0" % (what, graft) in line and "%s 2.0.0" % graft in line, line
    assert "return type int changed to str" in lines[1] and "method removed" in lines[2]
    assert "parameter `number`: type int changed to str" in lines[3], lines[3]
    assert lines[5] == lines[6], "in parts as whole"
    assert "ReleasedObjectError" not in out.stdout, "the objects are still there"


def test_an_old_graft_calling_objects_over_http_gets_a_clear_error(served):
    gg, _ = served
    old_cart = {"graft-version": "graft-pypi-cart/1.0.0"}
    refused = post(gg, "/objects/Till", {"graft-version": "graft-pypi-till/1.0.0"}, {"number": "3"})
    assert refused.status == 404, refused.body
    message = refused.json()["error"]["message"]
    assert "`Till.__init__` of graft-pypi-till 1.0.0" in message and "graft-pypi-till 2.0.0" in message
    assert post(gg, "/objects/Till", {}, {"number": "3"}).status == 201, "no version sent: not checked"
    made = post(gg, "/objects/Cart", old_cart, {"owner": "ann"})
    assert made.status == 201, "an unchanged constructor still answers"
    cart = "/objects/Cart/%s/" % made.json()["id"]
    assert post(gg, cart + "add", old_cart, {"sku": "x"}).json() == 1
    refused = post(gg, cart + "total", old_cart, {})
    assert refused.status == 404, refused.body
    message = refused.json()["error"]["message"]
    assert "`Cart.total` of graft-pypi-cart 1.0.0" in message and "return type int changed to str" in message
    new = {"graft-version": "graft-pypi-cart/2.0.0"}
    assert post(gg, cart + "total", new, {}).json() == "100 cents"


def post(gg, path, headers, body):
    return request(gg.calls + path, body, headers=dict(headers, **{"Content-Type": "application/json"}))
