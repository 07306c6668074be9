"""A small client of Redis's own protocol (RESP2) over asyncio streams.

Enough for a graft to use Redis as its broker (broker.py): commands are
written at once and their replies matched in order, so many calls share one
connection without waiting on each other. Standard library only: a graft
that uses a broker needs no extra package (docs/CONFIG.md, "Calls through
a broker", says why this over an optional `redis` extra).
"""

import asyncio
import collections
from typing import Any, Deque, List, Optional, Tuple, Union

Arg = Union[bytes, str, int, float]


class RespError(Exception):
    """An error reply from Redis (`-ERR ...`, `-NOGROUP ...`)."""


class Resp:
    """One connection to Redis; `command(...)` returns a future of its reply."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.waiting: Deque["asyncio.Future[Any]"] = collections.deque()
        self.failed: Optional[BaseException] = None
        self.task = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, host: str, port: int, timeout: float, auth: Tuple[str, ...] = (), db: int = 0) -> "Resp":
        """Connects, authenticates (`auth`: password, or user and password) and selects `db`."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        conn = cls(reader, writer)
        try:
            if auth:
                await asyncio.wait_for(conn.command("AUTH", *auth), timeout)
            if db:
                await asyncio.wait_for(conn.command("SELECT", db), timeout)
        except BaseException:
            conn.close()
            raise
        return conn

    @property
    def usable(self) -> bool:
        return self.failed is None and not self.writer.is_closing()

    def command(self, *args: Arg) -> "asyncio.Future[Any]":
        """Writes the command now; the future has its reply (a RespError for an error reply)."""
        future = asyncio.get_running_loop().create_future()
        if self.failed is not None:
            future.set_exception(self.failed)
            return future
        self.waiting.append(future)
        self.writer.write(encode(args))
        return future

    async def _read(self) -> None:
        try:
            while True:
                reply = await read_reply(self.reader)
                future = self.waiting.popleft()
                if not future.done():
                    if isinstance(reply, RespError):
                        future.set_exception(reply)
                    else:
                        future.set_result(reply)
        except asyncio.CancelledError:
            self._fail(ConnectionError("the connection to Redis was closed"))
            raise
        except (OSError, EOFError, asyncio.IncompleteReadError, IndexError, ValueError) as e:
            self._fail(ConnectionError("the connection to Redis failed: %s" % (e or type(e).__name__)))

    def _fail(self, error: BaseException) -> None:
        self.failed = error
        waiting, self.waiting = self.waiting, collections.deque()
        for future in waiting:
            if not future.done():
                future.set_exception(error)
        self.writer.close()

    def close(self) -> None:
        self.task.cancel()
        self.writer.close()


def encode(args: Tuple[Arg, ...]) -> bytes:
    """A command as RESP: an array of bulk strings."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, (bytes, bytearray)) else str(arg).encode()
        out.append(b"$%d\r\n" % len(data))
        out.append(bytes(data))
        out.append(b"\r\n")
    return b"".join(out)


async def read_reply(reader: asyncio.StreamReader) -> Any:
    """One reply: str for a status, int, bytes (None for nil), a list, or a RespError."""
    line = await reader.readuntil(b"\r\n")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return RespError(rest.decode(errors="replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = await reader.readexactly(size + 2)
        return data[:-2]
    if kind == b"*":
        count = int(rest)
        if count < 0:
            return None
        items: List[Any] = []
        for _ in range(count):
            items.append(await read_reply(reader))
        return items
    raise ValueError("Redis sent %r, which is not RESP2" % line[:20])
