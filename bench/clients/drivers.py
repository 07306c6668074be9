"""How each Python system is called: one driver per system, all with the same three methods.

A driver's `add`, `echo_records` and `echo_bytes` take and answer plain
Python values (ints, lists of dataclass records, bytes), so whatever a
system must do to carry them (protobuf messages, JSON, Graft's wire) is part
of its call. `record_class` is the dataclass the caller builds records with.
`is_async` is False only for the direct call, which is a plain function call.
"""

import sys
from pathlib import Path
from typing import Any, Dict, List, Type

BENCH = Path(__file__).resolve().parents[1]
SERVICE_DIR = BENCH / "service"
MAX_MESSAGE = 64 << 20


class Direct:
    """`Bench.add(a, b)` itself: the hosted method's own cost, no call machinery."""

    is_async = False

    async def open(self, target: str) -> None:
        sys.path.insert(0, str(SERVICE_DIR))
        from bench_service import Bench, Record

        _bind(self, Bench, Record)
        self.add_on_object = Bench.tally().add

    async def close(self) -> None:
        pass


class Graft:
    """The Graft installed from gg's index: in-process (`target` "inMemory") or remote (`host:port`)."""

    is_async = True

    async def open(self, target: str) -> None:
        from graft_pypi_bench import Bench, GraftConfig, Record

        config = "name=graft-pypi-bench;host=%s;runtime=python;modules=%s" % (target, SERVICE_DIR)
        GraftConfig.set_config(config)
        where = GraftConfig.get_config()
        if (target == "inMemory") != where.in_memory:
            raise RuntimeError("the Graft's configuration in force is %r, not host=%s" % (where, target))
        _bind(self, Bench, Record)
        self.tally = await Bench.tally()  # made once; each measured call is one on it
        self.add_on_object = self.tally.add

    async def close(self) -> None:
        await self.tally.close()


def _bind(driver: Any, bench: type, record: type) -> None:
    """The driver's methods are the class's own: nothing between the caller and the call."""
    driver.record_class = record
    driver.add, driver.echo_records, driver.echo_bytes = bench.add, bench.echo_records, bench.echo_bytes


class Grpc:
    """grpcio's asyncio API: one channel, the stub generated from bench.proto; records as protobuf messages."""

    is_async = True

    async def open(self, target: str) -> None:
        import grpc
        import bench_pb2 as pb
        import bench_pb2_grpc

        sys.path.insert(0, str(SERVICE_DIR))
        from bench_service import Record

        options = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]
        address, _, ca = target.partition(";ca=")  # over TLS, trusting that CA
        if ca:
            credentials = grpc.ssl_channel_credentials(root_certificates=Path(ca).read_bytes())
            self.channel = grpc.aio.secure_channel(address, credentials, options=options)
        else:
            self.channel = grpc.aio.insecure_channel(address, options=options)
        await self.channel.channel_ready()
        self.stub = bench_pb2_grpc.BenchStub(self.channel)
        self.pb = pb
        self.record_class = Record

    async def add(self, a: int, b: int) -> int:
        reply = await self.stub.Add(self.pb.AddRequest(a=a, b=b))
        return reply.value

    async def echo_records(self, records: List[Any]) -> List[Any]:
        pb, cls = self.pb, self.record_class
        message = pb.Records(records=[pb.Record(id=r.id, name=r.name, value=r.value, active=r.active, unit=r.unit) for r in records])
        reply = await self.stub.EchoRecords(message)
        return [cls(r.id, r.name, r.value, r.active, r.unit) for r in reply.records]

    async def echo_bytes(self, data: bytes) -> bytes:
        reply = await self.stub.EchoBytes(self.pb.Blob(data=data))
        return reply.data

    async def close(self) -> None:
        await self.channel.close()


class Rest:
    """An httpx AsyncClient (HTTP/1.1, one pooled client) against FastAPI; records as JSON, bytes as the raw body."""

    is_async = True

    async def open(self, target: str) -> None:
        import httpx

        sys.path.insert(0, str(SERVICE_DIR))
        from bench_service import Record

        # Pooled connections are dropped after 2 s idle, before uvicorn closes
        # them (after 5 s): with both at httpx's and uvicorn's default of 5 s,
        # a connection the server was closing could be reused and the call
        # failed with httpx.ReadError (two full runs of 2026-11-27, 10:22-10:41).
        limits = httpx.Limits(max_connections=128, max_keepalive_connections=128, keepalive_expiry=2.0)
        self.client = httpx.AsyncClient(base_url="http://%s" % target, limits=limits, timeout=120)
        self.record_class = Record

    async def add(self, a: int, b: int) -> int:
        response = await self.client.post("/add", json={"a": a, "b": b})
        response.raise_for_status()
        return response.json()

    async def echo_records(self, records: List[Any]) -> List[Any]:
        response = await self.client.post("/echo_records", json=[vars(r) for r in records])
        response.raise_for_status()
        cls = self.record_class
        return [cls(**r) for r in response.json()]

    async def echo_bytes(self, data: bytes) -> bytes:
        headers = {"content-type": "application/octet-stream"}
        response = await self.client.post("/echo_bytes", content=data, headers=headers)
        response.raise_for_status()
        return response.content

    async def close(self) -> None:
        await self.client.aclose()


from broker_drivers import CeleryRedis, Queued  # noqa: E402 - after the classes it does not need

DRIVERS: Dict[str, Type[Any]] = {
    "direct": Direct,
    "graft-inmemory": Graft,
    "graft-remote": Graft,
    "graft-balanced": Graft,
    "graft-replicas-3": Graft,
    "graft-remote-traced": Graft,
    "graft-remote-tls": Graft,
    "grpc": Grpc,
    "grpc-tls": Grpc,
    "rest": Rest,
    "graft-redis": Queued,
    "celery-redis": CeleryRedis,
}

