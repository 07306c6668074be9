"""A steady load for profiling (bench/profile.py): `--callers` tasks calling one method for `--seconds`.

Prints one JSON line: calls made, calls per second, and this process's CPU
microseconds per call.
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drivers import DRIVERS  # noqa: E402
from measure import methods_of  # noqa: E402


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--system", required=True, choices=sorted(DRIVERS))
    p.add_argument("--target", default="")
    p.add_argument("--method", default="add", choices=("add", "records", "bytes"))
    p.add_argument("--callers", type=int, default=1)
    p.add_argument("--seconds", type=float, default=10)
    opts = p.parse_args()
    driver = DRIVERS[opts.system]()
    await driver.open(opts.target)
    method = methods_of(driver)[opts.method]
    await method.once(full=True)
    end = time.monotonic() + opts.seconds
    done = [0]

    async def caller() -> None:
        while time.monotonic() < end:
            await method.once()
            done[0] += 1

    cpu, start = time.process_time(), time.monotonic()
    await asyncio.gather(*(caller() for _ in range(opts.callers)))
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
    await driver.close()
    print(json.dumps({"calls": done[0], "calls_per_s": done[0] / elapsed, "client_cpu_us_per_call": cpu / max(done[0], 1) * 1e6}))


if __name__ == "__main__":
    asyncio.run(main())
