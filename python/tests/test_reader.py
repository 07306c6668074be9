"""FrameReader (reader.py): frames cut from reads of any size, big frames in
buffers of their own that are lent for the dispatch and reused, and a
bytearray frame decoding as its bytes do."""

import itertools
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from graft_runtime import reader, wire  # noqa: E402
import server_frames  # noqa: E402
from test_wire import TYPES, read, same, vectors  # noqa: E402


def feed(data, sizes, max_frame_size=wire.DEFAULT_MAX_FRAME_SIZE):
    """`data` read in chunks of `sizes` (cycled) as asyncio would; the frames
    dispatched, each copied as it was lent, with the type it came as."""
    got = []
    frames = reader.FrameReader(max_frame_size, lambda frame: got.append((type(frame), bytes(frame))))
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
    frames = [server_frames.encode_reply(i, bytes(rng.getrandbits(8) for _ in range(size)))
              for i, size in enumerate([0, 10, 70_000, 3, 1_000_000, 65_536 - 24, 65_536, 200_000, 5])]
    frames.append(wire.encode_ping(99))
    return frames


@pytest.mark.parametrize("sizes", [[1], [7, 3], [4096], [262_144], [100_000, 1, 65_536]], ids=str)
def test_frames_come_out_whole_and_in_order_whatever_the_reads(sizes):
    sent = stream()
    got, frames = feed(b"".join(sent), itertools.cycle(sizes))
    assert [f for _, f in got] == [bytes(f[4:]) for f in sent]
    # a big frame that has not arrived whole in one read gets a bytearray of its own
    assert all(kind is bytes or len(f) + 4 > reader.BIG for kind, f in got)
    assert any(kind is bytearray for kind, _ in got)
    assert frames.big is None and frames.start == frames.end


def test_big_frames_reuse_one_buffer_that_is_lent_for_the_dispatch_only():
    sizes = [1_000_000, 1_000_000, 600_000, 900_000, 1_000_000, 3_000_000, 200_000]
    sent = [server_frames.encode_reply(i, bytes([i]) * size) for i, size in enumerate(sizes)]
    lent, values = [], []

    def dispatch(frame):
        lent.append(frame)
        values.append(wire.parse_frame(frame).value)

    frames = reader.FrameReader(wire.DEFAULT_MAX_FRAME_SIZE, dispatch)
    for frame in sent:
        view = frames.get_buffer()
        view[:16] = frame[:16]  # the start of the frame, then the rest into its own buffer
        view.release()
        assert frames.filled(16) and frames.frames() == 0 and frames.big is not None
        done = 16
        while done < len(frame):
            view = frames.get_buffer()
            n = min(len(view), 300_000, len(frame) - done)
            view[:n] = frame[done:done + n]
            view.release()
            done += n
            assert frames.filled(n) == (done == len(frame))
        assert frames.frames() == 1
    assert values == [bytes([i]) * size for i, size in enumerate(sizes)]
    # one buffer while the frames fit in its memory (the 600 KB one shrank it
    # by less than half), a new one for 3 MB, the 3 MB one shrunk for 200 KB
    assert [id(f) for f in lent[:5]] == [id(lent[0])] * 5
    assert lent[5] is not lent[0] and lent[6] is lent[5]
    assert frames.spare is lent[6] and len(frames.spare) == len(sent[6]) - 4


def test_a_big_frame_buffer_still_viewed_after_its_dispatch_is_not_reused():
    kept = []
    frames = reader.FrameReader(wire.DEFAULT_MAX_FRAME_SIZE, lambda frame: kept.append(memoryview(frame)))
    first, second = (bytes(server_frames.encode_reply(i, b"x" * 100_000)) for i in (1, 2))
    for frame in (first, second):
        view = frames.get_buffer()
        view[:16] = frame[:16]
        view.release()
        frames.filled(16)
        frames.frames()
        view = frames.get_buffer()
        view[:] = frame[16:]
        view.release()
        assert frames.filled(len(frame) - 16) and frames.frames() == 1
    assert kept[0].obj is not kept[1].obj
    assert bytes(kept[0]) == first[4:] and bytes(kept[1]) == second[4:]


def test_a_big_frame_over_the_limit_is_refused_before_its_buffer_is_made():
    frame = server_frames.encode_reply(1, b"x" * 100_000)
    with pytest.raises(wire.WireError, match="exceeds the limit"):
        feed(bytes(frame), [10], max_frame_size=50_000)


def test_the_hello_comes_out_before_the_frames():
    hello = wire.encode_hello()
    got = []
    frames = reader.FrameReader(wire.DEFAULT_MAX_FRAME_SIZE, got.append)
    data = hello + bytes(server_frames.encode_reply(3, "hi"))
    view = frames.get_buffer()
    view[: len(data)] = data
    assert frames.filled(len(data))
    assert frames.hello() == hello
    assert frames.frames() == 1 and wire.parse_frame(got[0]).value == "hi"


def test_a_big_frame_decodes_from_its_bytearray_as_from_bytes():
    body = bytes(server_frames.encode_reply(1, b"\x01" * 100_000))[4:]
    value = wire.parse_frame(bytearray(body)).value
    assert type(value) is bytes and value == b"\x01" * 100_000


@pytest.mark.parametrize("vector", vectors("value", "decode"), ids=[v["file"] for v in vectors("value", "decode")])
def test_value_vectors_decode_the_same_from_a_bytearray(vector):
    frame = bytearray(server_frames.encode_reply(1, None)[4:-1]) + read(vector)
    from_bytes = wire.parse_frame(bytes(frame), TYPES).value
    from_bytearray = wire.parse_frame(frame, TYPES).value
    assert same(from_bytearray, from_bytes) and type(from_bytearray) is type(from_bytes)
