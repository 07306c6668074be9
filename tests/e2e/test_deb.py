"""gg's Debian package, installed: scripts/test.sh builds it with cargo-deb
against Debian's python3.11, installs it with `dpkg -i`, runs this file (and
the tutorial's steps 1 to 9) with GG_DEB naming the .deb and
GG_BIN=/usr/bin/gg, then removes it. Hosted modules' packages come from a
virtualenv made with Debian's `python3.11 -m venv`, as in the Dockerfile,
whose CMD is run here as a process (no Docker engine on this machine)."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import GG, ROOT, Gateway
from test_microservice import BILLING_WITH_GRAFT, GRAFT, provider
from test_tutorial import make_project

DEB = os.environ.get("GG_DEB")
pytestmark = pytest.mark.skipif(
    not DEB, reason="GG_DEB is not set: scripts/test.sh builds the .deb, installs it, and runs this file with GG_DEB set")

INSTALLED = Path("/usr/bin/gg")
DEBIAN_PYTHON = "/usr/bin/python3.11"
# What dpkg-shlibdeps finds gg linked against, all from Debian's archive.
DEBIAN_DEPENDS = {"libc6", "libgcc-s1", "libpython3.11"}


def run(*cmd, **kwargs):
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kwargs)
    assert out.returncode == 0, "%s failed:\n%s%s" % (cmd, out.stdout, out.stderr)
    return out.stdout


def debian_venv(path):
    """A virtualenv made with Debian's python3.11, as the Dockerfile makes /opt/venv."""
    run(DEBIAN_PYTHON, "-m", "venv", path)
    return path


# A Debian system's PATH (and a debian image's): its `python3` is Debian's.
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def clean_env(**extra):
    """The test machine's environment as on a Debian system: Debian's PATH,
    and no other interpreter's variables (scripts/test.sh runs the tutorial
    replay so too)."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = DEBIAN_PATH
    env.update(extra)
    return env


def test_tests_run_the_installed_gg():
    assert GG == INSTALLED, "run with GG_BIN=/usr/bin/gg"
    assert run("dpkg", "-S", INSTALLED).startswith("graft-gateway:")


def test_package_depends_on_debian_packages_only():
    info = run("dpkg", "-I", DEB)
    assert "Package: graft-gateway" in info and "Architecture: amd64" in info, info
    depends = run("dpkg-deb", "-f", DEB, "Depends").strip()
    names = {item.split("(")[0].strip() for item in depends.split(",")}
    assert "libpython3.11" in names and names <= DEBIAN_DEPENDS, depends
    assert "./usr/bin/gg" in run("dpkg-deb", "-c", DEB)


def test_gg_loads_debians_libpython():
    libraries = run("ldd", INSTALLED)
    line = next(line for line in libraries.splitlines() if "libpython" in line)
    assert "libpython3.11.so.1.0 => /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0" in line, libraries
    assert "pyenv" not in run("readelf", "-d", INSTALLED)


WHERE = """\
import sys

import debvenvpkg


class Where:
    @staticmethod
    def python() -> dict[str, str]:
        return {"version": sys.version.split()[0], "prefix": sys.prefix, "package": debvenvpkg.__file__}
"""


def local_wheel(folder):
    """A wheel of the package `debvenvpkg`, written here, for pip to install with no index."""
    import zipfile

    files = {
        "debvenvpkg/__init__.py": "MARK = 'from the venv'\n",
        "debvenvpkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: debvenvpkg\nVersion: 1.0\n",
        "debvenvpkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test_deb\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files["debvenvpkg-1.0.dist-info/RECORD"] = "".join("%s,,\n" % name for name in [*files, "debvenvpkg-1.0.dist-info/RECORD"])
    folder.mkdir(parents=True)
    wheel = folder / "debvenvpkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def test_hosted_modules_run_in_debians_python_with_the_venvs_packages(tmp_path):
    venv = debian_venv(tmp_path / "venv")
    run(venv / "bin" / "pip", "install", "-q", "--no-index", local_wheel(tmp_path / "wheels"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "where.py").write_text(WHERE)
    debian_version = run(DEBIAN_PYTHON, "-c", "import platform; print(platform.python_version())").strip()

    with Gateway("--modules", tmp_path / "src", env=clean_env(VIRTUAL_ENV=str(venv))) as gg:
        where = gg.call("Where", "python").json()
        assert "on Python %s" % debian_version in gg.output(), gg.output()
    assert where["version"] == debian_version and where["prefix"] == "/usr", where
    assert where["package"].startswith(str(venv / "lib" / "python3.11" / "site-packages")), where

    # Without the venv the package is not there: it is the venv that provides it.
    from gateway import run_gg

    out = run_gg("--modules", tmp_path / "src", "--port", "0", "--httpPort", "0", env=clean_env())
    assert out.returncode == 1 and "debvenvpkg" in out.stderr, out.stderr


def test_another_python3_first_on_path_does_not_change_gg_interpreter(tmp_path):
    """gg starts CPython as the interpreter it was built against (/usr/bin/python3.11),
    not as the first python3 on PATH: pyenv's 3.11.7 standard library under Debian's
    3.11.2 libpython would fail `import ssl` (graft-python's interpreter.rs)."""
    foreign = Path(sys.executable).resolve()
    if str(foreign).startswith("/usr/"):
        pytest.skip("the tests run under Debian's python: no other build on this machine to put first")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "where.py").write_text(WHERE.replace("import debvenvpkg", "import ssl as debvenvpkg"))
    env = clean_env(PATH="%s:%s" % (foreign.parent, DEBIAN_PATH))
    with Gateway("--modules", tmp_path / "src", env=env) as gg:
        where = gg.call("Where", "python").json()
    assert where["prefix"] == "/usr", where


def test_tutorial_steps_6_and_7_with_the_graft_in_a_debian_venv(tmp_path):
    """Step 6's pip install goes into the venv (its own pip), and the billing
    gateway finds the graft through VIRTUAL_ENV instead of PYTHONPATH=./lib."""
    project = make_project(tmp_path)
    marked = make_project(tmp_path / "marked")  # priced 200 to 204: a bill shows where it ran
    source = marked / "src" / "price_calculator.py"
    source.write_text(source.read_text().replace("randint(100, 104)", "randint(200, 204)"))
    venv = debian_venv(tmp_path / "venv")
    with provider(marked) as calc:
        run(venv / "bin" / "pip", "install", "-q", "--disable-pip-version-check", "--index-url",
            "http://127.0.0.1:%d/simple/" % calc.http_port, GRAFT)
        (project / "src" / "billing_service.py").write_text(BILLING_WITH_GRAFT)
        for host, low in (("127.0.0.1:%d" % calc.tcp_port, 50000), ("inMemory", 25000)):
            config = "name=%s;host=%s;runtime=python;modules=%s" % (GRAFT, host, project / "src")
            env = clean_env(GRAFT_CONFIG=config, VIRTUAL_ENV=str(venv))
            with Gateway("--modules", "./src/", cwd=project, env=env) as billing:
                bill = billing.call("BillingService", "calculate_bill", {"kwh_used": 250})
                assert bill.status == 200, (bill.body, billing.output())
                assert low <= bill.json() <= low + 1000, (host, bill.json())


def dockerfile():
    """The Dockerfile's instructions, in order, as (INSTRUCTION, argument text)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def test_dockerfile_installs_the_package_the_build_makes():
    steps = dockerfile()
    assert steps[0] == ("FROM", "debian:bookworm-slim")
    copies = [arg.split() for op, arg in steps if op == "COPY"]
    assert ["target/deb/gg.deb", "/tmp/gg.deb"] in copies
    assert Path(DEB).resolve() == ROOT / "target" / "deb" / "gg.deb"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert all("!" + source in ignored for source, _ in copies), "the build context must admit what COPY reads"
    install = next(arg for op, arg in steps if op == "RUN" and "gg.deb" in arg)
    assert "apt-get install" in install and "python3.11-venv" in install


def test_dockerfile_cmd_serves_the_example_as_a_container_would(tmp_path):
    """The image's CMD, run as a process the way the image runs it: in the
    WORKDIR holding what COPY put there, with the ENV lines, gg found on PATH
    (the package's /usr/bin/gg), in a network namespace of its own so the
    CMD's default ports 80 and 81 are its own too."""
    if os.geteuid() != 0:
        pytest.skip("a network namespace needs root (CI runs as root)")
    steps = dockerfile()
    venv = debian_venv(tmp_path / "opt-venv")  # RUN python3.11 -m venv /opt/venv
    workdir = next(arg for op, arg in steps if op == "WORKDIR")
    source, target = next(arg.split() for op, arg in steps if op == "COPY" and not arg.endswith(".deb"))
    assert target.rstrip("/") == workdir
    app = tmp_path / "app"
    shutil.copytree(ROOT / source, app, ignore=shutil.ignore_patterns("lib", "__pycache__"))
    env = image_env(steps, venv, tmp_path)
    command = [arg for op in ("ENTRYPOINT", "CMD") for o, a in steps if o == op for arg in json.loads(a)]
    assert command == ["gg", "--modules", "./src/"]
    assert shutil.which("gg", path=env["PATH"]) == str(INSTALLED)

    with network_namespace() as enter:
        with open(tmp_path / "gg.log", "w+") as log:
            gg = subprocess.Popen([*enter, *command], cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                inside = subprocess.run([*enter, sys.executable, "-c", BILL_INSIDE], capture_output=True, text=True,
                                        timeout=90)
            finally:
                gg.send_signal(signal.SIGTERM)
                code = gg.wait(30)
            log.seek(0)
            output = log.read()
    assert inside.returncode == 0, inside.stderr + output
    assert 25000 <= json.loads(inside.stdout) <= 26000, output
    assert code == 0, output
    assert "BillingService" in output and "EnergyPriceCalculator" in output, output


def image_env(steps, venv, home):
    """The environment a container of the image starts with: Debian's PATH
    and the ENV lines, /opt/venv standing for the venv made here."""
    env = {"PATH": DEBIAN_PATH, "HOME": str(home),
           "GRAFT_STATE_DIR": str(home / "state")}
    for op, arg in steps:
        if op == "ENV":
            for pair in arg.split():
                name, value = pair.split("=", 1)
                env[name] = value.replace("/opt/venv", str(venv)).replace("$PATH", env["PATH"])
    return env


# Run inside the namespace: wait for /readyz on port 81, then bill 250 kWh on port 80.
BILL_INSIDE = """\
import time, urllib.request
for _ in range(300):
    try:
        if urllib.request.urlopen("http://127.0.0.1:81/readyz", timeout=1).status == 200:
            break
    except OSError:
        time.sleep(0.1)
req = urllib.request.Request("http://127.0.0.1:80/call/BillingService/calculate_bill", data=b'{"kwh_used": 250}')
print(urllib.request.urlopen(req, timeout=30).read().decode())
"""


class network_namespace:
    """A network namespace with only its loopback up; yields the command prefix that enters it."""

    def __enter__(self):
        self.name = "gg-deb-%d" % os.getpid()
        run("ip", "netns", "add", self.name)
        run("ip", "netns", "exec", self.name, "ip", "link", "set", "lo", "up")
        return ["ip", "netns", "exec", self.name]

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", self.name], check=False)
