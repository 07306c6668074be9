"""The receive side of a connection: the bytes asyncio reads, cut into frames.

`FrameReader` is what an `asyncio.BufferedProtocol` hands its socket reads
to (transport.py): `get_buffer` says where the next read goes and `filled`
takes what arrived. The 16-byte hello and frames up to `BIG` bytes are read
into one fixed receive buffer and each comes out as `bytes` (one copy). A
frame longer than that is read straight into a `bytearray` of its own,
sized from its length prefix once the prefix has passed the frame size
check, and comes out as that bytearray: a 1 MB reply is copied once by the
socket read and once more into the `bytes` value it holds, not four times.
The bytearray is lent to `dispatch` for the call only (the decoders copy
out of it) and kept for the next big frame of its size or less, so a
stream of 1 MB replies reads into the same memory each time instead of
faulting in fresh pages for each one.
Standard library only, Python 3.8+.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import wire
from .values import U32

BIG = 64 * 1024  # a frame longer than this (prefix included) gets a buffer of its own
_SIZE = 4 * BIG  # the receive buffer: any frame up to BIG fits in what is left after moving it to the start
KEEP = 8 * 1024 * 1024  # a big frame's buffer up to this size is kept for the next one


class FrameReader:
    """Cuts what arrives into the hello and frames; frames over `max_frame_size` raise WireError."""

    def __init__(self, max_frame_size: int, dispatch: Callable[[Any], None]) -> None:
        self.max_frame_size = max_frame_size
        # Called with each whole frame, in order, as soon as it is cut out.
        self.dispatch = dispatch
        # Never resized (asyncio holds a view of it while a read lands), so
        # the unread bytes are view[start:end] and move to the start when
        # less than BIG is left after them.
        self.view = memoryview(bytearray(_SIZE))
        self.start = self.end = 0
        # The body of a frame over BIG as it arrives, and how much has.
        self.big: Optional[bytearray] = None
        self.big_filled = 0
        # The last big frame's buffer, once dispatched, for the next to reuse.
        self.spare: Optional[bytearray] = None

    def get_buffer(self) -> memoryview:
        """Where the next read goes: the rest of a big frame, else the receive buffer's free end."""
        if self.big is not None:
            return memoryview(self.big)[self.big_filled :]
        if self.start == self.end:
            self.start = self.end = 0
        elif _SIZE - self.end < BIG:
            rest = self.end - self.start
            self.view[:rest] = self.view[self.start : self.end]
            self.start, self.end = 0, rest
        return self.view[self.end :]

    def hello(self) -> Optional[bytes]:
        """The 16-byte hello once all of it has arrived (taken out), else None."""
        if self.end - self.start < wire.HELLO_SIZE:
            return None
        start, self.start = self.start, self.start + wire.HELLO_SIZE
        return bytes(self.view[start : self.start])

    def filled(self, nbytes: int) -> bool:
        """Takes `nbytes` just read into `get_buffer()`; False while a big frame is still arriving."""
        if self.big is None:
            self.end += nbytes
            return True
        self.big_filled += nbytes
        return self.big_filled == len(self.big)

    def frames(self) -> int:
        """Dispatches the whole frames that have arrived, in order, each its
        bytes after the length prefix (`bytes`, or a big frame's own
        `bytearray`, valid only until `dispatch` returns), taking them out;
        how many there were. Starts a big frame's own buffer when one has
        begun to arrive."""
        big = self.big
        if big is not None:
            if self.big_filled < len(big):
                return 0
            self.big = None
            try:
                self.dispatch(big)
            finally:
                if len(big) <= KEEP:
                    self.spare = big
            return 1
        data, pos, end, count = self.view[: self.end], self.start, self.end, 0
        try:
            while True:
                total = wire.frame_length(data, pos, self.max_frame_size)
                if not total:
                    break
                self.dispatch(bytes(data[pos + 4 : pos + total]))
                pos += total
                count += 1
            if end - pos >= 4 and U32.unpack_from(data, pos)[0] + 4 > BIG:  # checked by frame_length
                big = self.big = self._buffer(U32.unpack_from(data, pos)[0])
                self.big_filled = end - pos - 4
                big[: self.big_filled] = data[pos + 4 : end]
                pos = end
            return count
        finally:
            self.start = pos
            data.release()

    def _buffer(self, size: int) -> bytearray:
        """A buffer of `size` bytes for a big frame: the spare one resized
        when its memory holds `size` bytes and nothing views it, else a new one."""
        spare, self.spare = self.spare, None
        if spare is not None and size < spare.__alloc__():
            try:
                del spare[-1:]  # raises BufferError while anything still views it
            except BufferError:
                return bytearray(size)
            if size <= len(spare):
                del spare[size:]  # keeps its memory unless that halves it
            else:
                spare.extend(bytes(size - len(spare)))  # within its memory
            return spare
        return bytearray(size)
