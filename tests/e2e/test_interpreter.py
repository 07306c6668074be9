"""Which CPython the development gg embeds: the interpreter it was built
against (pyenv's, on these machines: `python3` when cargo ran), whatever
`python3` comes first on PATH when it runs. Its prefix is that
interpreter's, so its standard library matches the libpython gg loads and
pip's packages are importable by hosted modules. (test_deb.py checks the
same of the Debian package, with pyenv's python3 first on PATH.)"""

import os
import shutil
import sys
from pathlib import Path

import pytest

from gateway import Gateway

WHERE = """\
import ssl
import sys

import humanize


class Where:
    @staticmethod
    def python() -> dict[str, str]:
        return {"prefix": sys.prefix, "executable": sys.executable, "humanize": humanize.__file__,
                "ssl": ssl.OPENSSL_VERSION}
"""


def test_another_python3_first_on_path_does_not_change_gg_interpreter(tmp_path):
    debian = Path("/usr/bin/python3")
    if Path(sys.executable).resolve().parent == debian.parent or not debian.exists():
        pytest.skip("the tests run under Debian's python3: no other build on this machine to put first")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "where.py").write_text(WHERE)
    env = dict(os.environ, PATH="/usr/bin:" + os.environ["PATH"])
    env.pop("PYTHONHOME", None)
    assert shutil.which("python3", path=env["PATH"]) == str(debian)
    with Gateway("--modules", tmp_path / "src", env=env) as gg:
        where = gg.call("Where", "python").json()
        assert "(%s)" % sys.prefix in gg.output(), gg.output()
    assert where["prefix"] == sys.prefix, where
    assert Path(where["executable"]).resolve() == Path(sys.executable).resolve(), where
    assert where["humanize"].startswith(sys.prefix), where
