import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from gateway import GG  # noqa: E402


def pytest_sessionstart(session):
    if not GG.exists():
        raise pytest.UsageError("%s does not exist: build it first (cargo build -p graft-gateway)" % GG)
