"""Versions from the interface (issue 18): a graft's version is semver from
what its service's interface changed, old versions stay installable, an old
graft calling a method that changed gets a clear error rather than a wrong
answer, and `gg diff` tells breaking changes apart. The real gg, real pip,
one state folder across restarts."""

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from gateway import Gateway, request, run_gg

V1 = """\
from typing import Iterator


class Shop:
    @staticmethod
    def price(sku: str) -> int:
        return len(sku) * 100

    @staticmethod
    def remove(sku: str) -> bool:
        return True

    @staticmethod
    def ticks(n: int) -> Iterator[int]:
        yield from range(n)
"""
# 1.1.0: a method added.
V2 = V1 + """
    @staticmethod
    def count() -> int:
        return 7
"""
# 2.0.0: `remove` removed, `count` returns a str, `ticks` yields strs.
V3 = """\
from typing import Iterator

import graft_context


class Shop:
    @staticmethod
    def seen() -> dict[str, str]:
        return dict(graft_context.headers())

    @staticmethod
    def price(sku: str) -> int:
        return len(sku) * 100

    @staticmethod
    def count() -> str:
        return "seven"

    @staticmethod
    def ticks(n: int) -> Iterator[str]:
        yield from map(str, range(n))
"""

OLD_CALLER = """\
import asyncio, os
from graft_pypi_shop import GraftConfig, Shop

GraftConfig.set_config(os.environ["GRAFT_CONFIG"])

async def main():
    print("price", await Shop.price("abc"))
    for call in (Shop.remove("abc"), Shop.count()):
        try:
            print("answered", await call)
        except Exception as e:
            print("refused", type(e).__name__, str(e).replace(chr(10), " "))
    try:
        print("answered", [item async for item in Shop.ticks(2)])
    except Exception as e:
        print("refused", type(e).__name__, str(e).replace(chr(10), " "))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """The project at 1.0.0, 1.1.0 and 2.0.0, each served once; yields the
    third gateway (TCP on), the state, and what was saved on the way."""
    root = tmp_path_factory.mktemp("versions")
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1.0.0"\n')
    module = root / "shop.py"
    env = dict(os.environ, GRAFT_STATE_DIR=str(root / "state"))
    seen = {}
    for name, source in [("v1", V1), ("v2", V2)]:
        module.write_text(source)
        with Gateway(str(module), env=env) as gg:
            seen[name] = request(gg.web + "/libraries").json()
            (root / (name + ".json")).write_text(json.dumps(seen[name]))
            if name == "v2":
                pip(root / "lib11", gg.web, "graft-pypi-shop")
    module.write_text(V3)
    with Gateway(str(module), env=env, tcp=True) as gg:
        yield gg, root, seen


def pip(target, web, *wanted):
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
           "--target", str(target), "--index-url", web + "/simple/", *wanted]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_versions_follow_the_interface(releases):
    gg, root, seen = releases
    assert seen["v1"]["grafts"]["Shop"]["version"] == "1.0.0"
    assert seen["v2"]["grafts"]["Shop"]["version"] == "1.1.0"
    now = request(gg.web + "/libraries").json()["grafts"]["Shop"]
    assert now["distribution"] == "graft-pypi-shop" and now["version"] == "2.0.0"
    assert [r["version"] for r in now["releases"]] == ["1.0.0", "1.1.0", "2.0.0"]
    changes = {(c["kind"], c["subject"], c["what"]) for c in now["releases"][2]["changes"]}
    assert ("breaking", "Shop.remove", "method removed") in changes
    assert ("breaking", "Shop.count", "return type int changed to str") in changes
    assert now["releases"][1]["changes"] == [{"kind": "addition", "subject": "Shop.count", "what": "method added"}]


def test_old_versions_stay_installable_and_npm_has_the_same(releases, tmp_path):
    gg, _, _ = releases
    pip(tmp_path / "lib", gg.web, "graft-pypi-shop==1.1.0")
    assert (tmp_path / "lib" / "graft_pypi_shop-1.1.0.dist-info").is_dir()
    assert "async def count() -> int:" in (tmp_path / "lib" / "graft_pypi_shop" / "__init__.py").read_text()
    pip(tmp_path / "new", gg.web, "graft-pypi-shop")
    assert (tmp_path / "new" / "graft_pypi_shop-2.0.0.dist-info").is_dir()
    doc = request(gg.web + "/npm/@graft%2fpypi-shop").json()
    assert list(doc["versions"]) == ["1.0.0", "1.1.0", "2.0.0"]
    assert doc["dist-tags"]["latest"] == "2.0.0"
    old = urllib.request.urlopen(doc["versions"]["1.1.0"]["dist"]["tarball"], timeout=30)
    assert old.status == 200 and len(old.read()) > 0


def test_an_old_graft_gets_a_clear_error_over_tcp(releases):
    gg, root, _ = releases
    (root / "old_caller.py").write_text(OLD_CALLER)
    config = "name=graft-pypi-shop;host=127.0.0.1:%d" % gg.tcp_port
    env = dict(os.environ, PYTHONPATH=str(root / "lib11"), GRAFT_CONFIG=config)
    out = subprocess.run([sys.executable, str(root / "old_caller.py")], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "price 300", "an unchanged method still answers"
    assert len(lines) == 4, lines
    for line, method in zip(lines[1:], ["remove", "count", "ticks"]):
        assert line.startswith("refused"), lines
        assert "`Shop.%s` of graft-pypi-shop 1.1.0" % method in line, line
        assert "graft-pypi-shop 2.0.0" in line, line
    assert "method removed" in lines[1] and "return type int changed to str" in lines[2]
    assert "return type int changed to str" in lines[3], "a stream's items too"


def test_an_old_graft_gets_a_clear_error_over_http(releases):
    gg, _, _ = releases
    old = {"graft-version": "graft-pypi-shop/1.1.0"}
    refused = call(gg, "count", old)
    assert refused.status == 404
    message = refused.json()["error"]["message"]
    assert "`Shop.count` of graft-pypi-shop 1.1.0" in message and "graft-pypi-shop 2.0.0" in message
    assert call(gg, "price", old, b'{"sku": "ab"}').json() == 200
    assert call(gg, "count", {"graft-version": "graft-pypi-shop/2.0.0"}).json() == "seven"
    assert call(gg, "count", {}).json() == "seven", "no version sent: not checked"
    seen = call(gg, "seen", {"graft-version": "graft-pypi-shop/2.0.0", "x-user": "ada"}).json()
    assert seen["x-user"] == "ada" and "graft-version" not in seen, "checked, then taken out"


def call(gg, method, headers, body=b"{}"):
    headers = dict(headers, **{"Content-Type": "application/json"})
    return request("%s/call/Shop/%s" % (gg.calls, method), body, headers=headers)


def test_gg_diff_exit_codes_and_output(releases):
    gg, root, _ = releases
    added = run_gg("diff", str(root / "v1.json"), str(root / "v2.json"))
    assert added.returncode == 0, added.stdout + added.stderr
    assert added.stdout.split() == ["addition", "Shop.count:", "method", "added"]
    same = run_gg("diff", str(root / "v2.json"), str(root / "v2.json"))
    assert (same.returncode, same.stdout) == (0, "no changes\n")
    broken = run_gg("diff", str(root / "v2.json"), gg.web)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "breaking  Shop.remove: method removed" in broken.stdout
    assert "breaking  Shop.count: return type int changed to str" in broken.stdout
    assert "3 breaking change(s)" in broken.stderr
    wheel = gg.web + "/packages/graft_pypi_shop-1.1.0-py3-none-any.whl"
    published = run_gg("diff", str(root / "v1.json"), wheel)
    assert published.returncode == 0, published.stdout + published.stderr
    assert published.stdout == "addition  Shop.count: method added\n"
    index = run_gg("diff", str(root / "v2.json"), gg.web + "/simple/graft-pypi-shop/")
    assert index.returncode == 1 and "breaking  Shop.remove: method removed" in index.stdout, index.stdout
    missing = run_gg("diff", str(root / "nope.json"), gg.web)
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_numbering_goes_on_above_an_older_gateways_post_versions(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "1.0.0"\n')
    (tmp_path / "calc.py").write_text("class Calc:\n    @staticmethod\n    def add(a: int, b: int) -> int:\n        return a + b\n")
    state = tmp_path / "state"
    state.mkdir()
    old = {"format": 1, "services": {"calc:Calc": {"1.0.0": ["aa", "bb"]}}}  # it served 1.0.0.post1
    (state / "pypi-versions.json").write_text(json.dumps(old))
    with Gateway(str(tmp_path / "calc.py"), env=dict(os.environ, GRAFT_STATE_DIR=str(state))) as gg:
        assert request(gg.web + "/libraries").json()["grafts"]["Calc"]["version"] == "1.0.1"


OLD_NODE_CALLER = """\
import { GraftConfig, Shop } from "@graft/pypi-shop";

GraftConfig.setConfig(process.env.GRAFT_CONFIG);
console.log("price", await Shop.price("abc"));
try {
  console.log("answered", await Shop.count());
} catch (e) {
  console.log("refused", e.constructor.name, String(e.message).replaceAll("\\n", " "));
}
await GraftConfig.close();
"""


@pytest.mark.parametrize("transport", ["tcp", "http"])
def test_an_old_typescript_graft_gets_the_same_error(releases, tmp_path, transport):
    gg, _, _ = releases
    (tmp_path / "package.json").write_text('{"name": "consumer", "private": true, "type": "module"}')
    dead = "http://127.0.0.1:9"  # no other registry
    install = ["npm", "install", "--registry", gg.web + "/npm/", "--proxy", dead, "--https-proxy", dead,
               "--noproxy", "127.0.0.1", "--cache", str(tmp_path / ".npm-cache"), "--no-audit", "--no-fund",
               "@graft/pypi-shop@1.1.0"]
    out = subprocess.run(install, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    (tmp_path / "old.mjs").write_text(OLD_NODE_CALLER)
    host = "127.0.0.1:%d" % gg.tcp_port if transport == "tcp" else gg.calls
    env = dict(os.environ, GRAFT_CONFIG="name=graft-pypi-shop;host=%s" % host)
    out = subprocess.run(["node", "old.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    price, count = out.stdout.splitlines()
    assert price == "price 300"
    assert count.startswith("refused") and "`Shop.count` of graft-pypi-shop 1.1.0" in count, count
    assert "graft-pypi-shop 2.0.0" in count and "return type int changed to str" in count, count
