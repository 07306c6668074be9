"""A streaming method's graft method under mypy --strict: real gg, real pip, real mypy.

gg hosts tests/e2e/fixtures/streams/feed.py; its graft is installed from
gg's index with pip and checked as source (MYPYPATH), so the generated code
and its runtime are checked too.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from gateway import GG, Gateway  # noqa: E402
from typecheck import mypy_strict  # noqa: E402

FEED = ROOT / "tests" / "e2e" / "fixtures" / "streams" / "feed.py"

pytestmark = pytest.mark.skipif(not GG.exists(), reason="gg is not built (cargo build -p graft-gateway)")


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("lib")
    env = dict(os.environ, GRAFT_STATE_DIR=str(tmp_path_factory.mktemp("state")))
    with Gateway("--modules", str(FEED), env=env) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(target), "--index-url", gg.web + "/simple/", "graft-pypi-feed"],
            capture_output=True, text=True, timeout=300,
        )
    assert out.returncode == 0, out.stdout + out.stderr
    return target


CORRECT = """
    from typing import AsyncIterator, List

    from graft_pypi_feed import Broken, Feed, Row


    async def main() -> List[str]:
        numbers: List[int] = [x async for x in Feed.count(3)]
        async for x in Feed.squares(4):
            numbers.append(x + 1)
        async for row in Feed.rows(2):
            numbers.append(row.n)
        words: List[str] = [w async for w in Feed.tokens("a b")]
        words += [w.upper() async for w in Feed.words("c d")] + [c async for c in Feed.letters("ef")]
        stream: AsyncIterator[int] = Feed.slow("key", 3, 0.1)
        first: int = await stream.__anext__()
        try:
            async for x in Feed.failing(2):
                numbers.append(x)
        except Broken as e:
            numbers.append(e.after + first)
        blobs: List[bytes] = [b async for b in Feed.blobs(2, 10)]
        pong: str = await Feed.ping()
        return words + [pong, str(sum(numbers) + len(blobs)), Row(1, "a").name, await Feed.seen("key")]
"""

WRONG = """
    from graft_pypi_feed import Feed


    async def main() -> None:
        async for x in Feed.count(3):
            s: str = x
        await Feed.count(3)
        async for w in Feed.tokens(3):
            pass
"""


def test_mypy_strict_accepts_async_for_over_streaming_methods(lib: Path, tmp_path: Path) -> None:
    out = mypy_strict(lib, tmp_path, CORRECT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_rejects_wrong_item_types_and_await(lib: Path, tmp_path: Path) -> None:
    out = mypy_strict(lib, tmp_path, WRONG)
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stdout
    assert ':6: error: Incompatible types in assignment (expression has type "int", variable has type "str")' in lines, lines
    assert ':7: error: Incompatible types in "await" (actual type "AsyncIterator[int]"' in lines, lines
    assert ':8: error: Argument 1 to "tokens" of "Feed" has incompatible type "int"; expected "str"' in lines, lines
    assert "Found 3 errors" in lines, lines


def test_the_graft_method_is_a_plain_def(lib: Path) -> None:
    source = (lib / "graft_pypi_feed" / "__init__.py").read_text()
    assert "    def count(n: int) -> AsyncIterator[int]:\n" in source
    assert "    async def ping() -> str:\n" in source
