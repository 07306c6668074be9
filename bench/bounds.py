"""What any Python-to-Python call of echo_records must spend, measured (for BENCHMARKS.md).

    bench/.venv/bin/python bench/bounds.py [bench/results/latest.json]

When both ends of a call hold Python objects, whatever the transport, each
side builds 10,000 `Record` instances (the callee its arguments, the caller
the answer), creates their 20,000 strings, reads their 50,000 fields back
(the caller to send them, the callee to answer) and frees them once the
call is over. This measures that work done the quickest way CPython offers,
with no encoding, no I/O and nothing else: `map(Record, *columns)` with the
garbage collector held off, one list comprehension per field, strings
sliced out of one decoded text. Twice that (both sides) is a floor under
the CPU of one call of any system whose caller and callee are Python. Two
more costs no such call avoids are added once each: the caller keeps the
answer it asked for, so CPython's collector meets its 10,000 new instances
in one young-generation collection; and whatever the encoding, the
records' own field bytes (8 for an int or a float, 1 for a bool, a
string's UTF-8) cross loopback TCP each way, measured as the CPU of
sending them to an echo thread and reading them back with plain blocking
sockets. The figures of a benchmark run, when given, put the sum beside
gRPC's CPU per call and its eighth (the issue's target), and one side's
object work beside the Rust echo floor's p50 plus the direct call (the
floor target).
"""

import gc
import itertools
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent / "service"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "clients"))
from bench_service import Record  # noqa: E402
from payloads import make_records  # noqa: E402

REPEAT = 200


def best_of(work: Callable[[], object]) -> float:
    """The median seconds of `work` over REPEAT runs, keeping the last few results alive
    (as calls in flight keep theirs)."""
    kept: List[object] = []
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        kept.append(work())
        times.append(time.perf_counter() - started)
        del kept[:-4]
    return statistics.median(times)


def field_bytes(records: List[Record]) -> int:
    """The bytes of the records' own values: what any encoding must carry at the least."""
    return sum(8 + len(r.name.encode()) + 8 + 1 + len(r.unit.encode()) for r in records)


def receive(sock: socket.socket, into: bytearray) -> None:
    view, got = memoryview(into), 0
    while got < len(into):
        n = sock.recv_into(view[got:])
        if not n:
            raise ConnectionError("the echo socket closed")
        got += n


def round_trip_cpu(size: int) -> float:
    """CPU seconds of this process (both ends) per round trip of `size` bytes through loopback TCP,
    the median of REPEAT round trips."""
    listener = socket.create_server(("127.0.0.1", 0))
    caller = socket.create_connection(listener.getsockname())
    callee, _ = listener.accept()
    listener.close()
    for sock in (caller, callee):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def echo() -> None:
        buf = bytearray(size)
        for _ in range(REPEAT):
            receive(callee, buf)
            callee.sendall(buf)

    echoing = threading.Thread(target=echo)
    echoing.start()
    payload, back, times = bytes(size), bytearray(size), []
    try:
        for _ in range(REPEAT):
            started = time.process_time()
            caller.sendall(payload)
            receive(caller, back)
            times.append(time.process_time() - started)
    finally:
        echoing.join()
        caller.close()
        callee.close()
    return statistics.median(times)


def columns_of(records: List[Record]) -> List[List[object]]:
    return [[getattr(r, n) for r in records] for n in ("id", "name", "value", "active", "unit")]


def built(*columns: List[object]) -> List[Record]:
    """The Records of `columns`, built the quickest way: `map` with the collector held off."""
    gc.disable()
    try:
        return list(map(Record, *columns))
    finally:
        gc.enable()


def measure(records: List[Record], columns: List[List[object]]) -> Dict[str, float]:
    text = "".join(columns[1]) + "".join(columns[4])
    ends = list(itertools.accumulate(map(len, columns[1] + columns[4])))

    def build() -> object:
        return built(*columns)

    def read() -> object:
        return ([r.id for r in records], [r.name for r in records], [r.value for r in records],
                [r.active for r in records], [r.unit for r in records])

    def strings() -> object:
        return [text[a:b] for a, b in zip(itertools.chain((0,), ends), ends)]

    def freeing() -> float:
        """Seconds to free one side's 10,000 Records and their 20,000 strings."""
        made = strings()
        records = built(columns[0], made[:len(columns[0])], columns[2], columns[3], made[len(columns[0]):])
        del made
        started = time.perf_counter()
        del records
        return time.perf_counter() - started

    side = {"build 10,000 Records": best_of(build), "read their 50,000 fields": best_of(read),
            "make their 20,000 strs": best_of(strings),
            "free them": statistics.median(freeing() for _ in range(REPEAT))}
    return {k: v * 1e3 for k, v in side.items()}


def young_collection(columns: List[List[object]]) -> float:
    """Milliseconds of the one young-generation collection that meets 10,000 new Records the caller
    keeps (built with the collector held off, as the quickest build above), median of REPEAT."""
    times = []
    for _ in range(REPEAT):
        kept = built(*columns)
        started = time.perf_counter()
        gc.collect(0)
        times.append(time.perf_counter() - started)
        del kept
    return statistics.median(times) * 1e3


def main() -> None:
    records = make_records(Record)
    columns = columns_of(records)
    side = measure(records, columns)
    per_side = sum(side.values())
    for what, ms in side.items():
        print("%-28s %6.2f ms" % (what, ms))
    print("%-28s %6.2f ms   (both sides: %.2f ms of CPU per call)" % ("one side", per_side, 2 * per_side), flush=True)
    collection = young_collection(columns)
    size = field_bytes(records)
    transport = round_trip_cpu(size) * 1e3
    least = 2 * per_side + collection + transport
    print("%-28s %6.2f ms   (the caller's, which keeps the answer)" % ("young collection", collection))
    print("%-28s %6.2f ms   (%d bytes each way through loopback TCP, both ends' CPU)" % ("their field bytes", transport, size))
    print("%-28s %6.2f ms" % ("the least, in all", least), flush=True)
    if len(sys.argv) > 1:
        summary = json.loads(Path(sys.argv[1]).read_text())["summary"]
        figures = {system: found["methods"]["records"] for system, found in summary.items() if found.get("available")}
        grpc_ms = figures["grpc"]["cpu_s_per_10k"] / 10
        floor_ms = (figures["floor"]["p50_us"] + figures["direct"]["p50_us"]) / 1e3
        graft = figures["graft-remote"]
        print("gRPC CPU per call %.1f ms, an eighth of it %.2f ms: the least any such call spends is %.2fx that"
              % (grpc_ms, grpc_ms / 8, least / (grpc_ms / 8)))
        print("Rust floor + direct p50 %.2f ms, three times it %.2f ms; one side's object work alone %.2f ms"
              % (floor_ms, 3 * floor_ms, per_side))
        print("Graft remote: %.1f ms CPU per call, p50 %.1f ms" % (graft["cpu_s_per_10k"] / 10, graft["p50_us"] / 1e3))


if __name__ == "__main__":
    main()
