"""The drivers of the systems measured through a broker (bench/brokers.py): `add` only."""

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, List

BENCH = Path(__file__).resolve().parents[1]


class Queued:
    """The Graft installed from gg's index, on `host=redis://...`: calls through the broker."""

    is_async = True

    async def open(self, target: str) -> None:
        from graft_pypi_bench import Bench, GraftConfig, Record

        GraftConfig.set_config("name=graft-pypi-bench;host=%s" % target)
        self.record_class = Record
        self.add = Bench.add

    async def echo_records(self, records: List[Any]) -> List[Any]:
        raise NotImplementedError("only add is measured through a broker")

    echo_bytes = echo_records

    async def close(self) -> None:
        pass


class CeleryRedis:
    """Celery's client: `add.delay(a, b).get()`, in a thread each (Celery's client is not asyncio)."""

    is_async = True

    async def open(self, target: str) -> None:
        os.environ["CELERY_REDIS_URL"] = target
        sys.path.insert(0, str(BENCH / "servers"))
        sys.path.insert(0, str(BENCH / "service"))
        import celery_app
        from bench_service import Record

        self.task = celery_app.add
        self.record_class = Record
        self.pool = ThreadPoolExecutor(max_workers=64)
        self.loop = asyncio.get_running_loop()

    async def add(self, a: int, b: int) -> int:
        return await self.loop.run_in_executor(self.pool, self._add, a, b)

    def _add(self, a: int, b: int) -> int:
        return self.task.delay(a, b).get(timeout=120)

    async def echo_records(self, records: List[Any]) -> List[Any]:
        raise NotImplementedError("only add is measured through a broker")

    echo_bytes = echo_records

    async def close(self) -> None:
        self.pool.shutdown(wait=False)
