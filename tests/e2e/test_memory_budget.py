"""gg's memory budget (--memoryBudget): however many connections send big
calls at once, gg holds about the budget's worth of them and makes the rest
wait, and every call still gets its answer."""

import hashlib
import socket
import struct
import sys
import threading
from pathlib import Path

import pytest

from gateway import ROOT, Gateway

sys.path.insert(0, str(ROOT / "python"))

from graft_runtime import wire  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "memory" / "blobs.py"
MIB = 1024 * 1024
BUDGET_MIB = 16
CONNECTIONS = 8
CALLS_EACH = 2
BLOB = 12 * 1000 * 1000  # each call's argument: 192 MB offered in all


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


def blob(seed):
    return bytes([seed % 256]) * BLOB


def digests_at_once(port):
    """Every connection sends its calls at once, then reads their answers."""
    answers, errors = {}, []

    def run(n):
        try:
            client = Client(port)
            for k in range(CALLS_EACH):
                call_id = n * CALLS_EACH + k + 1
                client.send(wire.encode_call(call_id, "Blobs", "digest", [blob(call_id)], {}))
            for _ in range(CALLS_EACH):
                frame = client.read()
                answers[frame.request_id] = frame
            client.close()
        except Exception as e:  # reported below, with the others
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, errors
    return answers


@pytest.mark.xfail(strict=True, reason="the budget is not wired into graft-wire's session yet: gg grows by ~370 MiB")
def test_big_calls_from_many_connections_stay_within_the_budget():
    with Gateway(str(FIXTURE), args=["--memoryBudget", str(BUDGET_MIB)], tcp=True) as gg:
        warm = Client(gg.tcp_port)
        warm.send(wire.encode_call(1, "Blobs", "digest", [b"warm"], {}))
        assert warm.read().value == hashlib.sha256(b"warm").hexdigest()
        before, _ = rss(gg.process.pid)

        answers = digests_at_once(gg.tcp_port)

        _, peak = rss(gg.process.pid)
        grew = (peak - before) / MIB
        offered = CONNECTIONS * CALLS_EACH * BLOB / MIB
        print("gg: %.0f MiB before, peak %.0f MiB (+%.0f MiB, %.0f MiB offered)" % (before / MIB, peak / MIB, grew, offered))
        for call_id in range(1, CONNECTIONS * CALLS_EACH + 1):
            frame = answers[call_id]
            assert isinstance(frame, wire.ReplyFrame), frame
            assert frame.value == hashlib.sha256(blob(call_id)).hexdigest(), call_id
        # A call's frame, and the bytes object gg copies it into, each about
        # the budget at most, with room for what the allocator keeps.
        assert grew < 4 * BUDGET_MIB + 32, "gg grew by %.0f MiB with a budget of %d MiB" % (grew, BUDGET_MIB)

        warm.send(wire.encode_call(2, "Blobs", "digest", [b"still"], {}))
        assert warm.read().value == hashlib.sha256(b"still").hexdigest()
        assert gg.call("Blobs", "digest", {"data": "AAEC"}).json() == hashlib.sha256(b"\0\1\2").hexdigest()
        warm.close()


def test_a_call_and_a_reply_bigger_than_the_whole_budget_pass():
    with Gateway(str(FIXTURE), args=["--memoryBudget=1"], tcp=True) as gg:
        client = Client(gg.tcp_port)
        data = blob(7)[: 3 * MIB]
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
