"""Grafts as a consumer gets them: real pip from the real gg's index, then import and mypy.

gg hosts graft-pypi's fixture project (crates/graft-pypi/tests/fixtures/shop/:
a class service `Shop`, a module service `pricing`, project version 2.1.0).
"""

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from gateway import GG, Gateway  # noqa: E402

SHOP = ROOT / "crates" / "graft-pypi" / "tests" / "fixtures" / "shop"

pytestmark = pytest.mark.skipif(not GG.exists(), reason="gg is not built (cargo build -p graft-gateway)")


def pip(python, *args):
    out = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir", *args],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    state = tmp_path_factory.mktemp("state")
    env = dict(os.environ, GRAFT_STATE_DIR=str(state))
    with Gateway("--modules", str(SHOP), env=env) as gg:
        yield gg


@pytest.fixture(scope="module")
def lib(gateway, tmp_path_factory):
    """Both grafts installed with --target, from the gateway's index only."""
    target = tmp_path_factory.mktemp("lib")
    pip(sys.executable, "--target", str(target), "--index-url", gateway.web + "/simple/", "graft-pypi-shop", "graft-pypi-pricing")
    return target


def test_installed_from_the_index_alone_with_no_dependencies(lib):
    info = lib / "graft_pypi_shop-2.1.0.dist-info"
    metadata = (info / "METADATA").read_text()
    assert "Name: graft-pypi-shop\nVersion: 2.1.0\n" in metadata
    assert "Requires-Dist" not in metadata
    assert (lib / "graft_pypi_shop" / "py.typed").exists()
    assert (lib / "graft_pypi_shop" / "_runtime" / "transport.py").exists()
    assert sorted(p.name for p in lib.iterdir() if not p.name.startswith((".", "__"))) == [
        "graft_pypi_pricing", "graft_pypi_pricing-2.1.0.dist-info", "graft_pypi_shop", "graft_pypi_shop-2.1.0.dist-info",
    ], "nothing but the two grafts was installed"


def test_the_index_pages_in_both_forms(gateway):
    with urllib.request.urlopen(gateway.web + "/simple/graft_pypi_Shop/") as r:
        assert r.url.endswith("/simple/graft-pypi-shop/")
        html = r.read().decode()
    assert 'data-requires-python="&gt;=3.8"' in html and "#sha256=" in html
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    with urllib.request.urlopen(urllib.request.Request(gateway.web + "/simple/graft-pypi-shop/", headers=accept)) as r:
        assert r.headers["Content-Type"] == "application/vnd.pypi.simple.v1+json"
        page = json.load(r)
    assert page["meta"]["api-version"] == "1.0"
    assert page["files"][0]["filename"] == "graft_pypi_shop-2.1.0-py3-none-any.whl"
    assert len(page["files"][0]["hashes"]["sha256"]) == 64


def test_signatures_match_the_hosted_ones(lib):
    script = textwrap.dedent(
        """
        import inspect, json, sys
        sys.path.insert(0, %r)
        import shop, pricing
        import graft_pypi_shop as g, graft_pypi_pricing as p
        out = {}
        for name in ["total", "paint", "lookup", "stats", "anything", "nothing"]:
            graft, hosted = getattr(g.Shop, name), getattr(shop.Shop, name)
            out[name] = [str(inspect.signature(graft)), str(inspect.signature(hosted)), inspect.iscoroutinefunction(graft)]
        out["quote"] = [str(inspect.signature(p.quote)), str(inspect.signature(pricing.quote)), inspect.iscoroutinefunction(p.quote)]
        out["fields"] = [f.name for f in __import__("dataclasses").fields(g.Order)]
        out["bases"] = [g.OutOfStock.__mro__[1].__name__, g.BadColor.__mro__[1].__name__]
        out["colors"] = {m.name: m.value for m in g.Color}
        out["exports"] = sorted(g.__all__)
        print(json.dumps(out))
        """
    ) % str(SHOP)
    env = dict(os.environ, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    for name in ["total", "paint", "lookup", "stats", "anything", "nothing", "quote"]:
        graft, hosted, is_async = found[name]
        assert is_async, name
        expected = hosted.replace("weights: Dict[str, float] = {}", "weights: dict[str, float] = <hosted default>")
        assert _plain(graft) == _plain(expected), name
    assert found["fields"] == ["items", "placed", "size", "note"]
    assert found["bases"] == ["ShopError", "ValueError"]
    assert found["colors"] == {"RED": "red", "GREEN": "green"}
    assert {"GraftConfig", "Shop", "Order", "OutOfStock", "RemoteError"} <= set(found["exports"])


def _plain(signature):
    """Annotations as text, whichever way they were written (typing.List or list, shop.Item or Item)."""
    for old, new in [("List[", "list["), ("Set[", "set["), ("Dict[", "dict["), ("Tuple[", "tuple["), ("typing.", ""),
                     ("'", ""), ("shop.", ""), ("datetime.", "")]:
        signature = signature.replace(old, new)
    return signature.replace("<Color.GREEN: green>", "Color.GREEN")


@pytest.fixture(scope="module")
def consumer(gateway, tmp_path_factory):
    """A virtualenv with the grafts installed into site-packages, as a consumer has them."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    pip(python, "--index-url", gateway.web + "/simple/", "graft-pypi-shop", "graft-pypi-pricing")
    return python


CORRECT = """
import datetime
from graft_pypi_shop import Color, GraftConfig, Item, Order, OutOfStock, Shop, Size
from graft_pypi_pricing import pricing, quote


async def main() -> float:
    GraftConfig.set_config(None)
    count: int = await Shop.total(Order([Item("a")], datetime.datetime.now(), Size.M))
    painted: list[Item] = await Shop.paint([Item("a", Color.RED)], color=Color.GREEN)
    found: Item | None = await Shop.lookup("x", False, "more", limit=3, weight=1.5)
    days, mean = await Shop.stats({datetime.date.today()}, b"raw")
    await Shop.nothing()
    try:
        await Shop.total(Order([], datetime.datetime.now()))
    except OutOfStock as e:
        print(e.sku, e.left + 1)
    return await quote(3, night=True) + await pricing.quote(count + len(painted) + days) + mean
"""

WRONG = """
from graft_pypi_shop import Color, Item, Shop


async def main() -> None:
    await Shop.total("not an order")
    await Shop.paint([Item("a")], color="red")
    await Shop.lookup(sku="x")
"""


def mypy(python, tmp_path, source):
    caller = tmp_path / "caller.py"
    caller.write_text(source)
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(python), str(caller)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_mypy_strict_accepts_a_correct_caller(consumer, tmp_path):
    out = mypy(consumer, tmp_path, CORRECT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_rejects_wrong_arguments(consumer, tmp_path):
    out = mypy(consumer, tmp_path, WRONG)
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'Argument 1 to "total" of "Shop" has incompatible type "str"; expected "Order"' in out.stdout
    assert 'Argument "color" to "paint" of "Shop" has incompatible type "str"; expected "Color"' in out.stdout
    # `sku` is positional-only there, so `sku=` lands in **filters (float)
    assert 'Too few arguments for "lookup" of "Shop"' in out.stdout
    assert 'Argument "sku" to "lookup" of "Shop" has incompatible type "str"; expected "float"' in out.stdout


def test_generated_code_and_runtime_are_mypy_strict_clean(lib, tmp_path):
    """Checked as source (MYPYPATH), so errors inside the graft itself are reported."""
    caller = tmp_path / "caller.py"
    caller.write_text(CORRECT)
    env = dict(os.environ, MYPYPATH=str(lib))
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(caller)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_changed_interface_is_picked_up_by_pip_install_upgrade(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "1.0.0"\n')
    module = project / "calc.py"
    module.write_text("class Calc:\n    @staticmethod\n    def add(a: int, b: int) -> int:\n        return a + b\n")
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path / "state"))
    lib = tmp_path / "lib"

    def install(*extra):
        with Gateway("--modules", str(module), env=env) as gg:
            pip(sys.executable, "--target", str(lib), "--index-url", gg.web + "/simple/", *extra, "graft-pypi-calc")
            with urllib.request.urlopen(gg.web + "/simple/graft-pypi-calc/") as r:
                return r.read()

    first = install()
    assert (lib / "graft_pypi_calc-1.0.0.dist-info").is_dir()
    assert install("--upgrade") == first, "same interface: same version, same file, same hash"
    module.write_text(module.read_text() + "\n    @staticmethod\n    def sub(a: int, b: int) -> int:\n        return a - b\n")
    install("--upgrade")
    assert (lib / "graft_pypi_calc-1.1.0.dist-info").is_dir(), "a method added: the minor is raised"
    assert "async def sub(a: int, b: int) -> int:" in (lib / "graft_pypi_calc" / "__init__.py").read_text()
