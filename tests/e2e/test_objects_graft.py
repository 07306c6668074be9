"""Remote objects through grafts, in-process and remote, end to end.

The real gg hosts tests/e2e/fixtures/realcode/carts.py with its TCP server;
the grafts of its classes (graft-pypi-cart, graft-pypi-shop, graft-pypi-till)
are installed from gg's index with real pip. One caller
(fixtures/realcode/caller_objects.py) runs in each mode: the transcripts
must be equal (test_parity.py compares them) and right (here). What only a gateway has (an idle lease, a dropped
connection, the per-connection limit) runs remotely against gateways started
with those options; mypy --strict checks callers of the graft classes.
"""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

from gateway import Gateway
from typecheck import mypy_strict

REALCODE = Path(__file__).parent / "fixtures" / "realcode"
CARTS = REALCODE / "carts.py"
GRAFTS = ["graft-pypi-cart", "graft-pypi-shop", "graft-pypi-till"]


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    """The three grafts, installed from the index of a gg hosting carts.py."""
    target = tmp_path_factory.mktemp("lib")
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path_factory.mktemp("state")))
    with Gateway("--modules", str(CARTS), env=env) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(target), "--index-url", gg.web + "/simple/", *GRAFTS],
            capture_output=True, text=True, timeout=300,
        )
    assert out.returncode == 0, out.stdout + out.stderr
    return target


def gateway(tmp_path: Path, *args: str) -> Gateway:
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path / "state"))
    return Gateway("--modules", str(CARTS), *args, tcp=True, env=env)


def run_script(lib: Path, host: str, script: str) -> Any:
    """A caller run in its own process (its own copy of carts.py in-process), its JSON output."""
    config = "host=%s;runtime=python;modules=%s" % (host, REALCODE)
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, "-c", script] if "\n" in script else [sys.executable, script],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def test_the_suite_sees_the_right_values(lib, tmp_path):
    """test_parity.py finds the in-process transcript equal to this one."""
    with gateway(tmp_path) as gg:
        r = run_script(lib, "127.0.0.1:%d" % gg.tcp_port, str(REALCODE / "caller_objects.py"))
    assert r["instance state"]["returned"] == {"counts": [1, 2], "total": 3.0, "describe": "ann: 2 lines, 3.00 EUR"}
    assert r["two independent instances"]["returned"] == ["amy: 2 lines, 20.00 USD", "bea: 1 lines, 3.00 EUR"]
    errors = r["constructor errors"]["returned"]
    assert errors[0] == errors[1] == {"raised": "builtins.ValueError", "str": "a cart needs an owner"}
    assert errors[2] == errors[3] and "unknown currency 'XXX'" in errors[2]["str"]
    assert errors[4] == errors[0], "async with raises the constructor's error on entry"
    closed = r["close then call"]["returned"]
    assert closed["raised"].endswith(".ReleasedObjectError") and closed["released"] == 1, closed
    assert closed["str"] == "Cart object <id> was released", closed
    assert r["async with"]["returned"] == {"inside": False, "after": True, "till": True, "rings": [1, 2]}
    assert r["garbage collection"]["returned"] is True
    ordered = r["one at a time, in order"]["returned"]
    assert ordered["notes"] == [["first"], ["first", "second"], ["first", "second", "third"]]
    assert ordered["paid"] == ["ord paid 0.00 EUR"] * 2
    made = r["factory and passing back"]["returned"]
    assert made["type"] == "graft_pypi_shop.Cart" and made["describe"] == "eve: 1 lines, 3.00 GBP"
    assert made["merged"] == 2 and made["after"] == ["eve: 2 lines, 5.00 GBP", "fay: 0 lines, 0.00 EUR"]
    assert made["released argument"]["str"] == "Cart object <id> was released"
    literal = r["Literal arguments"]["returned"]
    refused = "argument `form` has the wrong type: form: expected Literal['short', 'long'], got \"%s\""
    assert literal[0] == {"raised": "builtins.TypeError", "str": refused % "bogus"}, "at the first await"
    assert literal[1:3] == ["gus, long form", "hal, short form"], "a factory's object of another class"
    assert literal[3] == {"raised": "builtins.TypeError", "str": refused % "tiny"}
    through_any = r["objects through Any"]["returned"]
    assert through_any["cart"] == "graft_pypi_shop.Cart" and through_any["describe"] == "ida: 0 lines, 0.00 EUR"
    assert through_any["till"] == "graft_pypi_shop._runtime.values.ObjectRef" and through_any["till service"] == "Till"
    assert through_any["rings"] == [1, 2], "a reference passed back is the hosted object"


def imported(lib: Path, tcp_port: int) -> Any:
    """graft_pypi_cart and graft_pypi_shop, imported here and configured for gg at tcp_port."""
    if str(lib) not in sys.path:
        sys.path.insert(0, str(lib))
    import graft_pypi_cart
    import graft_pypi_shop

    for graft in (graft_pypi_cart, graft_pypi_shop):
        graft.GraftConfig.set_config("host=127.0.0.1:%d;runtime=python" % tcp_port)
    return graft_pypi_cart, graft_pypi_shop


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 60))


def test_an_idle_lease_runs_out(lib, tmp_path):
    with gateway(tmp_path, "--objectTtl", "1") as gg:
        carts, shop = imported(lib, gg.tcp_port)

        async def main() -> None:
            idle, busy = carts.Cart("idle"), carts.Cart("busy")
            await idle.add(carts.Line("I", 1, 1.0))
            await busy.add(carts.Line("B", 1, 1.0))
            for _ in range(6):  # 1.5 s in all: busy is used within its lease, idle is not
                await asyncio.sleep(0.25)
                await busy.total()
            with pytest.raises(carts.ReleasedObjectError, match="Cart object [0-9a-f]{32}"):
                await idle.total()
            assert await busy.total() == 1.0
            assert "idle" in await shop.Shop.released(), "the hosted close() ran when the lease ran out"
            assert "busy" not in await shop.Shop.released()

        run(main())


class Proxy:
    """A TCP relay to gg's TCP port whose connections the test can drop (gg keeps running)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.writers: List[asyncio.StreamWriter] = []
        self.connections = 0

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writers += [writer, up_writer]
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)

    def drop(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        self.writers = []


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


def test_a_dropped_connection_resumes_the_objects(lib, tmp_path):
    with gateway(tmp_path) as gg:

        async def main() -> None:
            proxy = Proxy(gg.tcp_port)
            carts, shop = imported(lib, await proxy.start())
            cart = carts.Cart("resumed")
            assert await cart.add(carts.Line("R", 1, 2.0)) == 1
            proxy.drop()  # the connection drops; gg and the caller keep running
            await asyncio.sleep(0.2)
            assert await cart.add(carts.Line("R", 2, 2.0)) == 2, "the same object, its state kept"
            assert await cart.total() == 6.0
            assert proxy.connections == 2, "the graft connected again"
            assert "resumed" not in await shop.Shop.released()
            await cart.close()

        run(main())


def test_the_object_limit_is_a_clear_error(lib, tmp_path):
    with gateway(tmp_path, "--maxObjects", "3") as gg:
        carts, shop = imported(lib, gg.tcp_port)

        async def main() -> None:
            kept = [carts.Cart("c%d" % i) for i in range(3)]
            for cart in kept:
                await cart.total()
            with pytest.raises(Exception) as refused:
                await carts.Cart("one too many").total()
            assert "3" in str(refused.value) and "maxObjects" in str(refused.value), refused.value
            await kept[0].close()
            fits = carts.Cart("fits now")
            assert await fits.total() == 0.0, "a released object makes room"

        run(main())


def test_an_object_passed_to_another_gateway_is_a_clear_error(lib, tmp_path):
    with gateway(tmp_path / "a") as home, gateway(tmp_path / "b") as other:
        carts, shop = imported(lib, home.tcp_port)
        shop.GraftConfig.set_config("host=127.0.0.1:%d;runtime=python" % other.tcp_port)

        async def main() -> None:
            cart = carts.Cart("travels")
            await cart.total()
            with pytest.raises(Exception) as refused:
                await shop.Shop.merge(cart, cart)
            assert "is not on this gateway" in str(refused.value), refused.value
            assert await cart.total() == 0.0, "the object is still fine where it lives"

        run(main())


CORRECT = """
    from graft_pypi_cart import Cart, Line, ReleasedObjectError
    from graft_pypi_shop import Shop


    async def main() -> str:
        cart = Cart("ann", currency="EUR")
        n: int = await cart.add(Line("H-1", 2, 1.25))
        total: float = await cart.total()
        async with Cart("bob") as other:
            text: str = await other.describe()
            events: list[str] = await other.note("seen", delay=0.1)
        made = await Shop.open_cart("eve")
        merged: int = await Shop.merge(made, await Shop.open_cart("fay"))
        await cart.close()
        try:
            await cart.total()
        except ReleasedObjectError as e:
            text += str(e)
        return "%d %s %s %d %s %s" % (n, total, text, merged, events, await made.checkout(0.1))
"""

WRONG = """
    from graft_pypi_cart import Cart


    async def main() -> None:
        Cart(1)
        Cart("ann", currency=2)
        Cart("ann", colour="red")
        s: str = await Cart("a").total()
"""


def test_mypy_strict_accepts_correct_callers(lib, tmp_path):
    out = mypy_strict(lib, tmp_path, CORRECT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_rejects_a_wrong_constructor_argument(lib, tmp_path):
    out = mypy_strict(lib, tmp_path, WRONG)
    lines = out.stdout
    assert out.returncode == 1, lines + out.stderr
    assert ':5: error: Argument 1 to "Cart" has incompatible type "int"; expected "str"  [arg-type]' in lines, lines
    assert ':6: error: Argument "currency" to "Cart" has incompatible type "int"; expected "str"  [arg-type]' in lines, lines
    assert ':7: error: Unexpected keyword argument "colour" for "Cart"  [call-arg]' in lines, lines
    assert ':8: error: Incompatible types in assignment (expression has type "float", variable has type "str")' in lines, lines
    assert "Found 4 errors" in lines, lines
