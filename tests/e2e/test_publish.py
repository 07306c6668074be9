"""`gg publish` to the registries a team already runs, end to end.

Real registries are started here (registries.py): pypiserver, which speaks
PyPI's legacy upload API, and verdaccio, an npm registry. The real gg
publishes the parity shop's grafts to both; then, with no gateway running,
real pip and npm install them from those registries alone, and the Python
graft runs in-process. Publishing again skips what is there; wrong
credentials are refused with a clear error and exit status 1.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import Gateway, free_port, request, run_gg
from registries import PypiServer, Verdaccio
from test_npm_graft import npm_install

SHOP = Path(__file__).parent / "fixtures" / "parity" / "shop.py"
USER, PASSWORD = "ci", "s3cret"


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    folder = tmp_path_factory.mktemp("registries")
    pypi = PypiServer(folder / "pypi", USER, PASSWORD)
    try:
        npm = Verdaccio(folder / "npm", USER, PASSWORD)
    except BaseException:
        pypi.stop()
        raise
    yield pypi, npm
    npm.stop()
    pypi.stop()


def publish(registries, project, *modules, env=()):
    """`gg publish` of `modules` to both registries, run in `project` (where its .npmrc is)."""
    pypi, npm = registries
    environment = {"HOME": str(project), "GRAFT_STATE_DIR": str(project / "state"), **dict(env)}
    args = ["publish", "--modules", ",".join(map(str, modules)), "--pypi", pypi.url, "--npm", npm.url]
    return run_gg(*args, cwd=project, env={**_base_env(), **environment}, timeout=120)


def _base_env():
    """The environment without twine's and npm's settings, which each test gives its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "NPM_CONFIG_"))}


def project_for(tmp_path, registries, token):
    """A folder with the .npmrc npm would use, holding `token` for verdaccio."""
    host = registries[1].url[len("http:"):]
    (tmp_path / ".npmrc").write_text("%s/:_authToken=%s\n" % (host, token))
    return tmp_path


TWINE = {"TWINE_USERNAME": USER, "TWINE_PASSWORD": PASSWORD}


@pytest.fixture(scope="module")
def published(registries, tmp_path_factory):
    project = project_for(tmp_path_factory.mktemp("shop"), registries, registries[1].token)
    out = publish(registries, project, SHOP, env=TWINE)
    assert out.returncode == 0, out.stdout + out.stderr
    return project, out


def test_publish_uploads_both_grafts(registries, published):
    (pypi, npm), (_, out) = registries, published
    lines = out.stdout.splitlines()
    assert any(l.startswith("published graft_pypi_shop-") and l.endswith(".whl to %s/" % pypi.url) for l in lines), lines
    assert any(l.startswith("published @graft/pypi-shop@") and l.endswith(" to %s/" % npm.url) for l in lines), lines
    assert any(l.startswith("published graft_context-") for l in lines), lines


def test_the_uploads_are_the_files_gg_serves(registries, published):
    """The same bytes as a gateway with the same state folder serves: same versions, same hashes."""
    pypi, npm = registries
    project, _ = published
    with Gateway("--modules", str(SHOP), env={**_base_env(), "GRAFT_STATE_DIR": str(project / "state")}) as gg:
        ours = request(gg.web + "/simple/graft-pypi-shop/").body.decode()
        ours_npm = request(gg.web + "/npm/@graft%2fpypi-shop").json()
    theirs = request(pypi.url + "/simple/graft-pypi-shop/").body.decode()
    link = theirs.split('href="')[1].split('"')[0]
    wheel = request(pypi.url + link.split("#")[0]).body
    assert "sha256=" + hashlib.sha256(wheel).hexdigest() in ours, (ours, link)
    version = ours_npm["dist-tags"]["latest"]
    theirs_npm = request(npm.url + "/@graft%2fpypi-shop").json()
    assert theirs_npm["dist-tags"]["latest"] == version
    assert theirs_npm["versions"][version]["dist"]["integrity"] == ours_npm["versions"][version]["dist"]["integrity"]


def test_pip_installs_from_pypiserver_and_the_graft_runs(registries, published, tmp_path):
    pypi, _ = registries
    lib = tmp_path / "lib"
    out = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
         "--target", str(lib), "--index-url", pypi.url + "/simple/", "graft-pypi-shop", "graft-context"],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    config = "name=graft-pypi-shop;host=inMemory;runtime=python;modules=%s" % SHOP.parent
    code = ("import asyncio, os\nfrom graft_pypi_shop import GraftConfig, Shop\n"
            "GraftConfig.set_config(os.environ['GRAFT_CONFIG'])\nprint(asyncio.run(Shop.echo_int(2**63 - 1)))\n")
    env = {**_base_env(), "GRAFT_CONFIG": config, "PYTHONPATH": str(lib)}
    ran = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == str(2**63 - 1)


def test_npm_installs_from_verdaccio(registries, published, tmp_path):
    _, npm = registries
    project = tmp_path / "consumer"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "consumer", "private": True, "type": "module"}))
    out = npm_install(project, npm.url + "/")
    assert out.returncode == 0, out.stdout + out.stderr
    code = "import('@graft/pypi-shop').then(m => console.log(typeof m.Shop, typeof m.OutOfStock))"
    ran = subprocess.run(["node", "-e", code], cwd=project, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["function", "function"]


def test_a_second_publish_skips_what_is_there(registries, published):
    project, first = published
    again = publish(registries, project, SHOP, env=TWINE)
    assert again.returncode == 0, again.stdout + again.stderr
    published_lines = [l for l in first.stdout.splitlines() if l.startswith("published ")]
    skipped = [l for l in again.stdout.splitlines() if l.startswith("skipped ")]
    assert len(skipped) == len(published_lines) == 3, again.stdout
    assert "has this version already" in skipped[0] and "published" not in again.stdout


def fresh_module(folder, name):
    """A module with one new service, so its grafts are not in the registries yet."""
    path = folder / ("%s.py" % name.lower())
    path.write_text("class %s:\n    @staticmethod\n    def ping(x: int) -> int:\n        return x\n" % name)
    return path


def test_a_wrong_pypi_password_is_a_clear_error(registries, tmp_path):
    project = project_for(tmp_path, registries, registries[1].token)
    out = publish(registries, project, fresh_module(tmp_path, "Wrongpass"),
                  env={"TWINE_USERNAME": USER, "TWINE_PASSWORD": "wrong"})
    assert out.returncode == 1, out.stdout + out.stderr
    assert "refused graft_" in out.stderr and "HTTP 403" in out.stderr, out.stderr
    assert "hint: check TWINE_USERNAME and TWINE_PASSWORD" in out.stderr
    assert "published" not in out.stdout


def test_a_wrong_npm_token_is_a_clear_error(registries, tmp_path):
    project = project_for(tmp_path, registries, "not-a-token")
    out = publish(registries, project, fresh_module(tmp_path, "Wrongtoken"), env=TWINE)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "refused @graft/pypi-wrongtoken@" in out.stderr and "HTTP 401" in out.stderr, out.stderr
    assert "hint: check the registry's `//host/path/:_authToken=` line in .npmrc" in out.stderr


def test_credentials_from_pypirc_and_the_users_npmrc(registries, tmp_path):
    """`--pypi` as a ~/.pypirc section's name; the npm token from ~/.npmrc through ${NPM_TOKEN}."""
    pypi, npm = registries
    home = tmp_path / "home"
    home.mkdir()
    (home / ".pypirc").write_text("[distutils]\nindex-servers = team\n\n[team]\nrepository = %s\n"
                                  "username = %s\npassword = %s\n" % (pypi.url, USER, PASSWORD))
    (home / ".npmrc").write_text("%s/:_authToken=${NPM_TOKEN}\n" % npm.url[len("http:"):])
    module = fresh_module(tmp_path, "Pypirc")
    env = {**_base_env(), "HOME": str(home), "GRAFT_STATE_DIR": str(tmp_path / "state"), "NPM_TOKEN": npm.token}
    out = run_gg("publish", "--modules", str(module), "--pypi", "team", "--npm", npm.url, cwd=tmp_path, env=env,
                 timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "published graft_pypi_pypirc-" in out.stdout and "published @graft/pypi-pypirc@" in out.stdout
    assert request(pypi.url + "/simple/graft-pypi-pypirc/").status == 200
    assert request(npm.url + "/@graft%2fpypi-pypirc").status == 200


def test_publish_needs_a_registry(tmp_path):
    out = run_gg("publish", "--modules", str(SHOP), cwd=tmp_path)
    assert out.returncode == 2
    assert "error: no registry to publish to" in out.stderr and "hint:" in out.stderr



def test_an_unreachable_registry_is_a_clear_error(tmp_path):
    url = "http://127.0.0.1:%d/" % free_port()
    out = run_gg("publish", "--modules", str(SHOP), "--pypi", url, cwd=tmp_path,
                 env={**_base_env(), "HOME": str(tmp_path), "GRAFT_STATE_DIR": str(tmp_path / "state")})
    assert out.returncode == 1, out.stdout + out.stderr
    assert "error: cannot reach %s" % url in out.stderr and "hint: check the URL" in out.stderr, out.stderr


def test_other_contents_under_a_published_npm_version_are_reported(registries, tmp_path):
    """A lost version store numbers a changed interface as the published version again: npm's
    integrity tells them apart, so gg warns; nothing is overwritten."""
    project = project_for(tmp_path, registries, registries[1].token)
    module = fresh_module(tmp_path, "Lost")
    first = publish(registries, project, module, env=TWINE)
    assert first.returncode == 0 and "warning" not in first.stderr, first.stdout + first.stderr
    shutil.rmtree(project / "state")
    module.write_text(module.read_text() + "\n    @staticmethod\n    def pong(x: int) -> int:\n        return -x\n")
    again = publish(registries, project, module, env=TWINE)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "published" not in again.stdout, again.stdout
    assert "warning: %s/ has @graft/pypi-lost@" % registries[1].url in again.stderr, again.stderr
    assert "with other contents than gg's" in again.stderr and "hint: was the state folder" in again.stderr
