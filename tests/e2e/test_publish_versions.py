"""`gg publish` after an interface change: the new version is uploaded beside
the old one, which stays installable; npm's `latest` names the new one.
The registries are test_publish.py's (pypiserver and verdaccio, started there)."""

import subprocess
import sys

from gateway import request
from test_publish import TWINE, fresh_module, project_for, publish, registries  # noqa: F401 (a fixture)


def versions_in(out, kind, name):
    """The versions of `name` that gg publish reports as `kind` (published, skipped)."""
    found = []
    for line in out.stdout.splitlines():
        if line.startswith(kind + " "):
            what = line.split()[1].rstrip(":")
            if what.startswith(name + "-"):
                found.append(what[len(name) + 1:].split("-py3")[0])
            elif what.startswith(name + "@"):
                found.append(what[len(name) + 1:])
    return found


def test_a_changed_interface_publishes_a_new_version_beside_the_old(registries, tmp_path):
    pypi, npm = registries
    project = project_for(tmp_path, registries, npm.token)
    module = fresh_module(tmp_path, "Evolving")
    first = publish(registries, project, module, env=TWINE)
    assert first.returncode == 0, first.stdout + first.stderr
    [old] = versions_in(first, "published", "graft_pypi_evolving")
    module.write_text(module.read_text() + "\n    @staticmethod\n    def pong(x: int) -> int:\n        return -x\n")
    second = publish(registries, project, module, env=TWINE)
    assert second.returncode == 0, second.stdout + second.stderr
    [new] = versions_in(second, "published", "graft_pypi_evolving")
    assert versions_in(second, "skipped", "graft_pypi_evolving") == [old] != [new]
    assert versions_in(second, "skipped", "@graft/pypi-evolving") == [old]
    assert versions_in(second, "published", "@graft/pypi-evolving") == [new]
    doc = request(npm.url + "/@graft%2fpypi-evolving").json()
    assert sorted(doc["versions"]) == sorted([old, new]) and doc["dist-tags"]["latest"] == new
    got = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-cache-dir", "--no-deps",
         "-d", str(tmp_path / "dl"), "--index-url", pypi.url + "/simple/", "graft-pypi-evolving==" + old],
        capture_output=True, text=True, timeout=300,
    )
    assert got.returncode == 0, got.stdout + got.stderr
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["graft_pypi_evolving-%s-py3-none-any.whl" % old]
