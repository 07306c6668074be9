"""Status 8 (protocol version 8): a gateway refused the call at once."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import Overloaded, RemoteError, wire  # noqa: E402
from graft_runtime.classes import Registry  # noqa: E402
from graft_runtime.remote import Remote  # noqa: E402

VECTOR = Path(__file__).resolve().parents[2] / "docs" / "protocol-vectors" / "frame-error-overloaded.bin"


def test_the_vector_decodes_to_status_8_and_raises_overloaded() -> None:
    frame = wire.decode_frame(VECTOR.read_bytes())
    assert (wire.VERSION, frame.status) == (8, wire.STATUS_OVERLOADED)
    error = wire.error_of(frame.status, frame.raised, "10.0.0.7", 9092)
    assert isinstance(error, Overloaded)
    assert isinstance(error, RemoteError) and isinstance(error, ConnectionError)
    assert str(error) == (
        "Graft gateway at 10.0.0.7:9092 is overloaded: 256 calls run on this connection already; call again later"
    )


def test_a_remote_call_refused_with_status_8_raises_overloaded_naming_the_gateway() -> None:
    frame = wire.decode_frame(VECTOR.read_bytes())
    remote = Remote(Registry())
    error = remote.exception(wire.RemoteError(frame.status, frame.raised), ("gw", 82))
    assert type(error) is Overloaded and (error.host, error.port) == ("gw", 82)
    with pytest.raises(ConnectionError, match="gw:82 is overloaded"):
        raise error


def test_statuses_past_8_are_malformed() -> None:
    data = bytearray(VECTOR.read_bytes())
    data[13] = 9  # length u32, kind u8, id u64: then the status
    with pytest.raises(wire.WireError, match="unknown error status 9"):
        wire.decode_frame(bytes(data))
