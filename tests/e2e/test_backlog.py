"""The listen backlog fits bursts: 1,000 connects at once to each of gg's
listeners all complete without a SYN retried after about 1 s (what a full
backlog of 128 caused)."""

import selectors
import socket
import sys
import time
from pathlib import Path

import pytest

from gateway import Gateway

LOAD = str(Path(__file__).parent / "fixtures" / "resilience" / "load.py")
BURST = 1000


def connect_burst(port):
    """Starts BURST connects at once; the seconds the slowest took to complete."""
    selector = selectors.DefaultSelector()
    socks = []
    started = time.monotonic()
    for _ in range(BURST):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_WRITE)
        socks.append(sock)
    slowest, left = 0.0, BURST
    try:
        while left:
            events = selector.select(timeout=10)
            assert events, "%d connects still pending after 10 s" % left
            for key, _ in events:
                assert key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
                selector.unregister(key.fileobj)
                slowest, left = time.monotonic() - started, left - 1
    finally:
        for sock in socks:
            sock.close()
    return slowest


@pytest.fixture(scope="module")
def gg():
    with Gateway(LOAD, tcp=True) as gateway:
        yield gateway


@pytest.mark.skipif(sys.platform != "linux", reason="Linux's backlog and SYN retries")
@pytest.mark.parametrize("listener", ["port", "http_port", "tcp_port"])
def test_a_burst_of_1000_connects_sees_no_retried_syn(gg, listener):
    with open("/proc/sys/net/core/somaxconn") as f:
        if int(f.read()) < 1024:
            pytest.skip("net.core.somaxconn caps the backlog below 1024")
    for _ in range(3):  # a retried SYN takes a whole second; three bursts make one likely
        slowest = connect_burst(getattr(gg, listener))
        assert slowest < 0.9, "a connect took %.2f s: its SYN was retried (backlog full)" % slowest
        time.sleep(0.2)
