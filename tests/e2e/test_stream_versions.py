"""An older client (protocol version 4) and a streaming method: a clear
error naming the method and the version it needs; nothing else changes for
that client. Raw frames on a real socket to the real gg."""

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

from gateway import Gateway, older_call, read_exactly, read_frame_body  # noqa: E402

FEED = str(Path(__file__).parent / "fixtures" / "streams" / "feed.py")


@pytest.fixture(scope="module")
def gg():
    with Gateway(FEED, tcp=True) as gateway:
        yield gateway


def _frame(sock):
    return wire.parse_frame(read_frame_body(sock))


def _old_call(request_id, service, method, args):
    return older_call(wire.encode_call(request_id, service, method, args, {}), service, method)


def _connect(port, version):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(wire.encode_hello(version=version))
    hello = wire.decode_hello(read_exactly(sock, wire.HELLO_SIZE))
    assert (hello.version, hello.status) == (version, 0)
    return sock


def test_a_version_4_client_calling_a_streaming_method_is_told_the_version_it_needs(gg):
    with _connect(gg.tcp_port, 4) as sock:
        sock.sendall(_old_call(1, "Feed", "count", [3]))
        error = _frame(sock)
        assert (type(error).__name__, error.request_id) == ("ErrorFrame", 1), error
        message = error.raised.message
        assert "Feed.count" in message and "version 5" in message and "version 4" in message, message
        # Plain methods answer as before on the same connection.
        sock.sendall(_old_call(2, "Feed", "ping", []))
        reply = _frame(sock)
        assert (reply.request_id, reply.value) == (2, "pong")
