"""How each system opens a stream: one driver per system, with the same two methods.

`count(n)` and `blobs(n, size)` return the system's own async iterator, the
one its users write `async for` over, with nothing wrapped around it.
`unwrap` (None or a C-level getter) turns one of its items into the plain
value (an int, bytes); the stream client applies it per item, so gRPC's
message-to-value step is part of its cost, as in the call drivers.
"""

import operator
from typing import Any, Callable, Dict, Optional, Type

from drivers import MAX_MESSAGE, SERVICE_DIR


class Graft:
    """The Graft `graft-pypi-feed` installed from gg's index: in-process (`inMemory`) or remote (`host:port`)."""

    unwrap: Optional[Callable[[Any], Any]] = None

    async def open(self, target: str) -> None:
        from graft_pypi_feed import Feed, GraftConfig

        config = "name=graft-pypi-feed;host=%s;runtime=python;modules=%s" % (target, SERVICE_DIR)
        GraftConfig.set_config(config)
        where = GraftConfig.get_config()
        if (target == "inMemory") != where.in_memory:
            raise RuntimeError("the Graft's configuration in force is %r, not host=%s" % (where, target))
        self.count, self.blobs = Feed.count, Feed.blobs

    async def close(self) -> None:
        pass


class Grpc:
    """grpcio's asyncio API: one channel; `stub.Count(...)` and `stub.Blobs(...)` are server-streaming calls."""

    unwrap: Optional[Callable[[Any], Any]] = None

    async def open(self, target: str) -> None:
        import grpc

        import bench_pb2 as pb
        import bench_pb2_grpc

        options = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]
        self.channel = grpc.aio.insecure_channel(target, options=options)
        await self.channel.channel_ready()
        self.stub = bench_pb2_grpc.FeedStub(self.channel)
        self.pb = pb

    def count(self, n: int) -> Any:
        self.unwrap = operator.attrgetter("value")
        return self.stub.Count(self.pb.CountRequest(n=n))

    def blobs(self, n: int, size: int) -> Any:
        self.unwrap = operator.attrgetter("data")
        return self.stub.Blobs(self.pb.BlobsRequest(n=n, size=size))

    async def close(self) -> None:
        await self.channel.close()


STREAM_DRIVERS: Dict[str, Type[Any]] = {
    "graft-inmemory": Graft,
    "graft-remote": Graft,
    "grpc": Grpc,
}
