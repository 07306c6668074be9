"""Status 8 (protocol version 8): a gateway refused the call at once."""

import sys
from typing import Any
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import Overloaded, RemoteError, wire  # noqa: E402
from graft_runtime.classes import Registry  # noqa: E402
from graft_runtime.remote import Remote  # noqa: E402
import server_frames  # noqa: E402

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


def test_overloaded_from_a_replica_names_that_replica_not_the_first_host() -> None:
    """Two replicas answer every call with status 8, each saying where it
    is: the error names the replica whose refusal it carries (before, it
    named the first of the host list whichever replica refused)."""
    import asyncio

    from graft_runtime.config import parse

    def refusing(where: str) -> Any:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readexactly(16)
            writer.write(wire.encode_hello())
            try:
                while True:
                    (n,) = wire._U32.unpack(await reader.readexactly(4))
                    frame = wire.parse_frame(await reader.readexactly(n))
                    if isinstance(frame, wire.CallFrame):
                        raised = wire.Raised("Overloaded", "graft", "full at " + where, [], {}, "")
                        writer.write(bytes(server_frames.encode_error(frame.request_id, wire.STATUS_OVERLOADED, raised)))
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                pass
        return serve

    async def main() -> None:
        servers = [await asyncio.start_server(refusing(ip), ip, 0) for ip in ("127.0.0.2", "127.0.0.3")]
        ports = [s.sockets[0].getsockname()[1] for s in servers]
        hosts = "127.0.0.2:%d,127.0.0.3:%d" % tuple(ports)
        settings = parse("host=%s;retries=0" % hosts)[0]  # each call tried once, on the next replica
        remote = Remote(Registry())
        named = set()
        try:
            for _ in range(6):
                with pytest.raises(Overloaded) as caught:
                    await remote.call(settings, "Calc", "add", [1, 2], {})
                error = caught.value
                assert str(error) == "Graft gateway at %s:%d is overloaded: full at %s" % (error.host, error.port, error.host)
                named.add(error.host)
            assert named == {"127.0.0.2", "127.0.0.3"}, named
        finally:
            for server in servers:
                server.close()

    asyncio.run(asyncio.wait_for(main(), 20))
