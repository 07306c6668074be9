"""The failures a caller sees (graft_runtime/errors.py): classes, aliases, messages."""

import asyncio
import pickle
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import graft_runtime  # noqa: E402
from graft_runtime import errors, transport, wire  # noqa: E402


def test_the_classes_and_their_bases():
    assert issubclass(errors.Unavailable, ConnectionError)
    assert issubclass(errors.CircuitOpen, errors.Unavailable)
    assert issubclass(errors.Timeout, TimeoutError)
    assert issubclass(errors.Overloaded, wire.RemoteError)
    assert issubclass(errors.Overloaded, ConnectionError)


def test_old_names_are_the_same_classes():
    assert transport.GraftConnectionError is errors.Unavailable is graft_runtime.GraftConnectionError
    assert transport.CallTimeout is errors.Timeout is graft_runtime.CallTimeout
    for name in ("Unavailable", "Timeout", "CircuitOpen", "Overloaded"):
        assert getattr(graft_runtime, name) is getattr(errors, name)


def test_the_message_names_host_port_and_cause_and_survives_pickling():
    e = errors.CircuitOpen("10.0.0.7", 9092, "circuit open after 5 failures", sent=False)
    assert str(e) == "Graft gateway at 10.0.0.7:9092: circuit open after 5 failures"
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is errors.CircuitOpen and str(back) == str(e) and back.sent is False


def test_a_refused_connect_is_unavailable_and_not_sent():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed

    async def main():
        connection = transport.Connection("127.0.0.1", port, connect_timeout=1.0)
        with pytest.raises(errors.Unavailable, match="127.0.0.1:%d: cannot connect" % port) as caught:
            await connection.call("Demo", "add", [1, 2], {})
        assert caught.value.sent is False

    asyncio.run(main())
