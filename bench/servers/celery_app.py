"""The Celery side of the `celery-redis` benchmark (bench/brokers.py): one
app on the Redis named by CELERY_REDIS_URL, as broker and result backend,
with the benchmark's `add` as a task (the same method gg hosts)."""

import os
import sys
from pathlib import Path

from celery import Celery

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))
from bench_service import Bench  # noqa: E402

URL = os.environ["CELERY_REDIS_URL"]
app = Celery("bench", broker=URL, backend=URL)
app.conf.update(result_expires=300, broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)


@app.task
def add(a: int, b: int) -> int:
    return Bench.add(a, b)
