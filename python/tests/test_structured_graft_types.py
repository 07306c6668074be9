"""Structured types in a graft under mypy --strict: real gg, real pip, real mypy.

gg hosts tests/e2e/fixtures/realcode/orders.py; its graft (NamedTuple,
TypedDict, Literal, the pydantic model as a dataclass, IntEnum/StrEnum/Flag)
is installed from gg's index with pip and checked as source (MYPYPATH).
"""

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from gateway import GG, Gateway  # noqa: E402

ORDERS = ROOT / "tests" / "e2e" / "fixtures" / "realcode" / "orders.py"

pytestmark = pytest.mark.skipif(not GG.exists(), reason="gg is not built (cargo build -p graft-gateway)")


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("lib")
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path_factory.mktemp("state")))
    with Gateway("--modules", str(ORDERS), env=env) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(target), "--index-url", gg.web + "/simple/", "graft-pypi-orders"],
            capture_output=True, text=True, timeout=300,
        )
    assert out.returncode == 0, out.stdout + out.stderr
    return target


def mypy(lib: Path, tmp_path: Path, source: str) -> "subprocess.CompletedProcess[str]":
    caller = tmp_path / "caller.py"
    caller.write_text(inspect.cleandoc(source) + "\n")
    env = dict(os.environ, MYPYPATH=str(lib))
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--show-error-codes", str(caller)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)


CORRECT = """
    from graft_pypi_orders import Address, Customer, Order, Orders, Perm, Point, Priority


    async def main() -> str:
        p: Point = await Orders.midpoint(Point(0.0, 1.0), Point(2.0))
        x: float = p.x + p[1]
        home: Address = {"street": "S", "city": "C"}
        home["note"] = "side door"
        moved: Address = await Orders.move(home, "D")
        placed: Order = await Orders.place(Order(1, Customer("Ann"), status="paid"))
        state: str = await Orders.set_status(3, "shipped")
        up: Priority = await Orders.escalate(Priority.LOW)
        perm: Perm = await Orders.grant(Perm.READ, Perm.WRITE | Perm.EXEC)
        return "%s %s %s %s %s %s" % (x, moved["city"], placed.status, state, up + 1, perm)
"""

WRONG = """
    from graft_pypi_orders import Address, Orders, Point


    async def main() -> None:
        await Orders.set_status(3, "bogus")
        home: Address = {"street": "S"}
        Point("zero", 1.0)
        await Orders.label({"street": "S", "city": "C", "zip": 1})
"""


def test_mypy_strict_accepts_namedtuple_typeddict_and_literal(lib: Path, tmp_path: Path) -> None:
    out = mypy(lib, tmp_path, CORRECT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_rejects_wrong_literal_keys_and_fields(lib: Path, tmp_path: Path) -> None:
    out = mypy(lib, tmp_path, WRONG)
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stdout
    assert ":5: error: Argument 2 to \"set_status\" of \"Orders\" has incompatible type \"Literal['bogus']\"" in lines, lines
    assert ':6: error: Missing key "city" for TypedDict "Address"' in lines, lines
    assert ':7: error: Argument 1 to "Point" has incompatible type "str"; expected "float"' in lines, lines
    assert ':8: error: Extra key "zip" for TypedDict "Address"' in lines, lines
    assert "Found 4 errors" in lines, lines


def test_the_graft_declares_the_types(lib: Path) -> None:
    source = (lib / "graft_pypi_orders" / "__init__.py").read_text()
    assert "class Point(NamedTuple):\n" in source
    assert "@dataclass(frozen=True)\nclass Line:\n" in source  # a frozen pydantic model
    assert "class Address(_AddressRequired, total=False):\n" in source
    assert "class Priority(enum.IntEnum):\n" in source
    assert "class Channel(str, enum.Enum):\n" in source
    assert "class Perm(enum.Flag):\n" in source
    assert "status: Literal['new', 'paid', 'shipped']" in source
    assert "pydantic" not in source
    assert "def lowest" not in source  # Literal[Priority.LOW] has no Graft form: the method is unavailable
