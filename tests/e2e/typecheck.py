"""mypy --strict on a caller of installed grafts, for the tests of generated signatures."""

import inspect
import os
import subprocess
import sys
from pathlib import Path


def mypy_strict(lib: Path, folder: Path, source: str) -> "subprocess.CompletedProcess[str]":
    """mypy --strict on `source` (dedented) as `folder/caller.py`, the grafts in
    `lib` checked as source (MYPYPATH), so their code and runtime are checked too."""
    caller = folder / "caller.py"
    caller.write_text(inspect.cleandoc(source) + "\n")
    env = dict(os.environ, MYPYPATH=str(lib))
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--show-error-codes", str(caller)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=folder, env=env)
