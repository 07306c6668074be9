"""What the broker tests share: the Jobs graft installed with real pip, a
provider gateway taking calls from a real Redis, and callers in their own
processes configured with host=redis://..."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from gateway import Gateway, request

JOBS = Path(__file__).parent / "fixtures" / "broker" / "jobs.py"

CALLER = """\
import asyncio, json, sys
from graft_pypi_jobs import GraftConfig, JobError, Jobs, Receipt, Timeout

async def main():
{body}

print(json.dumps(asyncio.run(main())))
"""


def install_jobs(lib):
    """The Jobs graft from a gateway's own index, with real pip."""
    with Gateway("--modules", str(JOBS)) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", "graft-pypi-jobs"],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr


def provider(redis, log, *args):
    """A gateway hosting Jobs that takes its calls from `redis`; each run noted in `log`."""
    env = dict(os.environ, JOBS_LOG=str(log))
    return taking_calls(Gateway("--modules", str(JOBS), args=["--broker", redis.url, *args], env=env))


def taking_calls(gg):
    """`gg` once it reads its queues (its /status names them), not only once it is ready."""
    wait_for(lambda: "broker" in request(gg.web + "/status").json(), what="gg reading its queues")
    return gg


def caller(lib, redis, body, timeout=""):
    """Starts a caller process running `body` (the inside of `async def main()`,
    which returns what the process prints as JSON)."""
    config = "name=graft-pypi-jobs;host=%s%s" % (redis.url, ";timeout=%s" % timeout if timeout else "")
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    code = CALLER.format(body=textwrap.indent(textwrap.dedent(body), "    "))
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def result(process, timeout=60):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out)


def call(lib, redis, body, timeout=""):
    return result(caller(lib, redis, body, timeout))


def runs(log, what=""):
    """The lines of the runs noted so far: (pid, method, argument), those containing `what`."""
    if not Path(log).exists():
        return []
    lines = [line.split(" ", 2) for line in Path(log).read_text().splitlines()]
    return [(int(pid), method, arg) for pid, method, arg in lines if what in "%s %s" % (method, arg)]


def wait_for(check, timeout=30, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s" % what)


def metric(gg, name):
    """The value of one metric line (`name` with its labels) in gg's /metrics, or None."""
    for line in request(gg.web + "/metrics").body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None
