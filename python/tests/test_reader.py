"""FrameReader (reader.py): frames cut from reads of any size, big frames in
buffers of their own, and a bytearray frame decoding as its bytes do."""

import itertools
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from graft_runtime import reader, wire  # noqa: E402
from test_wire import TYPES, read, same, vectors  # noqa: E402


def feed(data, sizes, max_frame_size=wire.DEFAULT_MAX_FRAME_SIZE):
    """`data` read in chunks of `sizes` (cycled) as asyncio would; the frames dispatched."""
    got = []
    frames = reader.FrameReader(max_frame_size, got.append)
    pos, sizes = 0, iter(sizes)
    while pos < len(data):
        view = frames.get_buffer()
        assert len(view)
        n = min(len(view), next(sizes), len(data) - pos)
        view[:n] = data[pos:pos + n]
        view.release()
        pos += n
        if frames.filled(n):
            frames.frames()
    return got, frames


def stream():
    rng = random.Random(7)
    frames = [wire.encode_reply(i, bytes(rng.getrandbits(8) for _ in range(size)))
              for i, size in enumerate([0, 10, 70_000, 3, 1_000_000, 65_536 - 24, 65_536, 200_000, 5])]
    frames.append(wire.encode_ping(99))
    return frames


@pytest.mark.parametrize("sizes", [[1], [7, 3], [4096], [262_144], [100_000, 1, 65_536]], ids=str)
def test_frames_come_out_whole_and_in_order_whatever_the_reads(sizes):
    sent = stream()
    got, frames = feed(b"".join(sent), itertools.cycle(sizes))
    assert [bytes(f) for f in got] == [bytes(f[4:]) for f in sent]
    # a big frame that has not arrived whole in one read gets a bytearray of its own
    assert all(type(f) is bytes or len(f) + 4 > reader.BIG for f in got)
    assert any(type(f) is bytearray for f in got)
    assert frames.big is None and frames.start == frames.end


def test_a_big_frame_over_the_limit_is_refused_before_its_buffer_is_made():
    frame = wire.encode_reply(1, b"x" * 100_000)
    with pytest.raises(wire.WireError, match="exceeds the limit"):
        feed(bytes(frame), [10], max_frame_size=50_000)


def test_the_hello_comes_out_before_the_frames():
    hello = wire.encode_hello()
    got = []
    frames = reader.FrameReader(wire.DEFAULT_MAX_FRAME_SIZE, got.append)
    data = hello + bytes(wire.encode_reply(3, "hi"))
    view = frames.get_buffer()
    view[: len(data)] = data
    assert frames.filled(len(data))
    assert frames.hello() == hello
    assert frames.frames() == 1 and wire.parse_frame(got[0]).value == "hi"


def test_a_big_frame_decodes_from_its_bytearray_as_from_bytes():
    body = bytes(wire.encode_reply(1, b"\x01" * 100_000))[4:]
    value = wire.parse_frame(bytearray(body)).value
    assert type(value) is bytes and value == b"\x01" * 100_000


@pytest.mark.parametrize("vector", vectors("value", "decode"), ids=[v["file"] for v in vectors("value", "decode")])
def test_value_vectors_decode_the_same_from_a_bytearray(vector):
    frame = bytearray(wire.encode_reply(1, None)[4:-1]) + read(vector)
    from_bytes = wire.parse_frame(bytes(frame), TYPES).value
    from_bytearray = wire.parse_frame(frame, TYPES).value
    assert same(from_bytearray, from_bytes) and type(from_bytearray) is type(from_bytes)
