"""An older client (protocol version 4) and a streaming method: a clear
error naming the method and the version it needs; nothing else changes for
that client. Raw frames on a real socket to the real gg."""

import socket
import struct
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

from gateway import Gateway  # noqa: E402

FEED = str(Path(__file__).parent / "fixtures" / "streams" / "feed.py")


@pytest.fixture(scope="module")
def gg():
    with Gateway(FEED, tcp=True) as gateway:
        yield gateway


def _read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "gg closed the connection"
        data += chunk
    return data


def _frame(sock):
    length = _read_exactly(sock, 4)
    body = _read_exactly(sock, struct.unpack(">I", length)[0])
    return wire.parse_frame(body)


def _old_call(request_id, service, method, args):
    """A Call frame as versions 3 to 5 lay it out: no object id after the method name."""
    frame = wire.encode_call(request_id, service, method, args, {})
    at = 4 + 9 + 8 + len(service.encode()) + len(method.encode())
    assert frame[at:at + 4] == b"\0\0\0\0", "an empty object id"
    body = frame[4:at] + frame[at + 4:]
    return struct.pack(">I", len(body)) + body


def _connect(port, version):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(wire.encode_hello(version=version))
    hello = wire.decode_hello(_read_exactly(sock, wire.HELLO_SIZE))
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
