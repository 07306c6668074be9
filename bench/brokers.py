"""The systems measured through a broker (issue 19), beside the plain ones.

- `graft-redis`: a redis-server (Debian's) and one gg with
  `--broker redis://...`; the Graft on `host=redis://...`: each call an entry
  of the stream `graft:calls:Bench`, each answer frames on the caller's list.
- `celery-redis`: the same redis-server as Celery's broker and result
  backend, a Celery worker (its default prefork pool, one process per
  core) running `add` (bench/servers/celery_app.py); the caller sends with
  `add.delay(a, b)` and waits with `.get()` in threads, as Celery's own
  client is not asyncio (bench/clients/broker_drivers.py).

Only `add` is measured (objects cannot go through a broker, and the payload
methods say nothing more here). The server CPU and memory columns are gg's
and the Celery worker's main process (not its pool's children, nor Redis).
"""

import contextlib
import shutil
import sys
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple

from processes import Server, free_port

BENCH = Path(__file__).resolve().parent
SYSTEMS = ("graft-redis", "celery-redis")


class NoRedis(Exception):
    """redis-server is not installed."""


@contextlib.contextmanager
def redis(work: Path) -> Iterator[str]:
    """A redis-server of its own on a free port (no persistence): its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise NoRedis("redis-server is not installed (scripts/setup.sh installs Debian's)")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(work)]
    with Server("redis", args, work) as server:
        server.wait_tcp(port)
        yield "redis://127.0.0.1:%d/0" % port


@contextlib.contextmanager
def serving(bench: Any, system: str) -> Iterator[Tuple[Optional[Server], str]]:
    """The system's server (gg, or the Celery worker), running with its Redis, and the client's target."""
    with redis(bench.work) as url:
        if system == "graft-redis":
            with bench.start_gg(extra=("--broker", url)) as gg:
                yield gg, url
            return
        env = dict(bench.client_env(), CELERY_REDIS_URL=url)
        env["PYTHONPATH"] = str(BENCH / "servers")
        args = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--loglevel=WARNING",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with Server("celery", args, bench.work, env=env) as worker:
            yield worker, url
