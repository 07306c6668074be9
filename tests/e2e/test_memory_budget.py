"""gg's memory budget (--memoryBudget): however many connections send big
calls at once, gg holds about the budget's worth of them and makes the rest
wait, and every call still gets its answer."""

import hashlib
import socket
import struct
import sys
import threading
import time
from pathlib import Path

import pytest

from gateway import ROOT, Gateway

sys.path.insert(0, str(ROOT / "python"))

from graft_runtime import wire  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "memory" / "blobs.py"
MIB = 1024 * 1024


class Client:
    """One raw TCP connection to gg, spoken with graft_runtime's codec."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.sendall(wire.encode_hello())
        hello = wire.decode_hello(self._exactly(wire.HELLO_SIZE))
        assert hello.status == 0, hello

    def send(self, frame):
        self.sock.sendall(frame)

    def read(self):
        (length,) = struct.unpack(">I", self._exactly(4))
        return wire.parse_frame(self._exactly(length))

    def _exactly(self, n):
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            k = self.sock.recv_into(view[got:])
            assert k, "gg closed the connection"
            got += k
        return bytes(buf)

    def close(self):
        self.sock.close()


def rss(pid):
    """VmRSS and VmHWM (the peak) of process `pid`, in bytes."""
    fields = {}
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields["VmHWM"]


def blob(seed, size):
    return bytes([seed % 256]) * size


def on_connections(port, connections, run):
    """Runs `run(n, client)` on `connections` connections at once, one
    thread each, and fails with the errors any of them raised."""
    errors = []

    def each(n):
        try:
            client = Client(port)
            run(n, client)
            client.close()
        except Exception as e:  # reported below, with the others
            errors.append(e)

    threads = [threading.Thread(target=each, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors[:3]


def digests_at_once(port, connections, calls_each, size):
    """Every connection sends its calls at once, then reads their answers."""
    answers = {}

    def run(n, client):
        for k in range(calls_each):
            call_id = n * calls_each + k + 1
            client.send(wire.encode_call(call_id, "Blobs", "digest", [blob(call_id, size)], {}))
        for _ in range(calls_each):
            frame = client.read()
            answers[frame.request_id] = frame

    on_connections(port, connections, run)
    for call_id in range(1, connections * calls_each + 1):
        frame = answers[call_id]
        assert isinstance(frame, wire.ReplyFrame), frame
        assert frame.value == hashlib.sha256(blob(call_id, size)).hexdigest(), call_id


def settled_rss(pid, near, seconds=5.0):
    """gg's RSS once it is within 16 MiB of `near`, or after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        now, _ = rss(pid)
        if now < near + 16 * MIB or time.monotonic() > deadline:
            return now
        time.sleep(0.1)


# (budget MiB, connections, calls each, bytes a call): 16 x 12 MB at 16 MiB,
# and issue 13's case, five connections sending 30 MB each, which took gg
# from 61 to 310 MB and left it there.
CASES = [(16, 8, 2, 12 * 1000 * 1000), (32, 5, 1, 30 * 1000 * 1000)]


@pytest.mark.parametrize("budget,connections,calls_each,size", CASES)
def test_big_calls_from_many_connections_stay_within_the_budget(budget, connections, calls_each, size):
    with Gateway(str(FIXTURE), args=["--memoryBudget", str(budget)], tcp=True) as gg:
        warm = Client(gg.tcp_port)
        warm.send(wire.encode_call(1, "Blobs", "digest", [b"warm"], {}))
        assert warm.read().value == hashlib.sha256(b"warm").hexdigest()
        before, _ = rss(gg.process.pid)

        digests_at_once(gg.tcp_port, connections, calls_each, size)

        _, peak = rss(gg.process.pid)
        after = settled_rss(gg.process.pid, before)
        grew, offered = (peak - before) / MIB, connections * calls_each * size / MIB
        print("gg: %.0f MiB before, peak %.0f MiB (+%.0f MiB, %.0f MiB offered), %.0f MiB after"
              % (before / MIB, peak / MIB, grew, offered, after / MIB))
        # The budget's worth of frames, and the bytes objects gg copies them
        # into (about as much again), with room for what the allocator keeps.
        assert grew < 3 * budget + 32, "gg grew by %.0f MiB with a budget of %d MiB" % (grew, budget)
        # Memory freed after the burst goes back to the system (malloc.rs's purger).
        assert after < before + 16 * MIB, "gg kept %.0f MiB after the burst" % ((after - before) / MIB)

        warm.send(wire.encode_call(2, "Blobs", "digest", [b"still"], {}))
        assert warm.read().value == hashlib.sha256(b"still").hexdigest()
        assert gg.call("Blobs", "digest", {"data": "AAEC"}).json() == hashlib.sha256(b"\0\1\2").hexdigest()
        warm.close()


def test_a_call_and_a_reply_bigger_than_the_whole_budget_pass():
    with Gateway(str(FIXTURE), args=["--memoryBudget=1"], tcp=True) as gg:
        client = Client(gg.tcp_port)
        data = blob(7, 3 * MIB)
        client.send(wire.encode_call(1, "Blobs", "digest", [data], {}))
        client.send(wire.encode_call(2, "Blobs", "make", [3 * MIB, 9], {}))
        client.send(wire.encode_call(3, "Blobs", "digest", [data], {}))
        answers = {}
        for _ in range(3):
            frame = client.read()
            answers[frame.request_id] = frame.value
        assert answers == {
            1: hashlib.sha256(data).hexdigest(),
            2: bytes([9]) * 3 * MIB,
            3: hashlib.sha256(data).hexdigest(),
        }
        client.close()


def rows_from_many_callers(port, callers, calls_each, n):
    """`callers` connections at once, each asking for `n` rows `calls_each`
    times in turn; returns how many rows each call got."""
    counts = []

    def run(_, client):
        for c in range(calls_each):
            client.send(wire.encode_call(c + 1, "Blobs", "rows", [n], {}))
            got = 0
            while True:
                frame = client.read()
                got += len(frame.value)
                if isinstance(frame, wire.ReplyFrame):
                    break
                assert isinstance(frame, wire.ReplyPartFrame), frame
            counts.append(got)

    on_connections(port, callers, run)
    return counts


def test_long_list_replies_at_64_callers_under_a_small_budget():
    # Issue 13: RSS climbed 50 -> 336 MB. The budget bounds little here (the
    # calls are small, and the Python objects of 64 results are not frames),
    # but every reply must come through a budget far smaller than they are.
    # What is kept after: about +15-29 MiB 10 s later with malloc.rs's
    # purger, +36-41 without (too close to assert; the big calls above do).
    with Gateway(str(FIXTURE), args=["--memoryBudget", "16"], tcp=True) as gg:
        warm = Client(gg.tcp_port)
        warm.send(wire.encode_call(1, "Blobs", "rows", [3], {}))
        assert len(warm.read().value) == 3
        before, _ = rss(gg.process.pid)
        started = time.monotonic()

        counts = rows_from_many_callers(gg.tcp_port, 64, 2, 10000)

        took = time.monotonic() - started
        _, peak = rss(gg.process.pid)
        after, _ = rss(gg.process.pid)
        print("gg: %.0f MiB before, peak %.0f MiB, %.0f MiB after; %.1f s"
              % (before / MIB, peak / MIB, after / MIB, took))
        assert counts == [10000] * 128
        assert peak < before + 200 * MIB, "gg grew by %.0f MiB" % ((peak - before) / MIB)
        warm.close()
