"""The gRPC server: grpcio's asyncio server (grpc.aio) serving bench.proto's Bench and Feed.

The handlers turn protobuf messages into the same dataclasses the other
systems carry and call bench_service.Bench, as a service with its logic in
plain Python would; Feed's server-streaming handlers are async generators
yielding one message per item of bench_feed.Feed's generators. Usage:
grpc_server.py PORT [CERT KEY] (bench_pb2 on PYTHONPATH; with CERT and KEY, over TLS).
"""

import asyncio
import sys
from pathlib import Path
from typing import AsyncIterator

import grpc

import bench_pb2 as pb
import bench_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))
from bench_feed import Feed  # noqa: E402
from bench_service import Bench, Record  # noqa: E402

MAX_MESSAGE = 64 << 20


class Servicer(bench_pb2_grpc.BenchServicer):
    async def Add(self, request: pb.AddRequest, context: grpc.aio.ServicerContext) -> pb.AddReply:
        return pb.AddReply(value=Bench.add(request.a, request.b))

    async def EchoRecords(self, request: pb.Records, context: grpc.aio.ServicerContext) -> pb.Records:
        records = [Record(r.id, r.name, r.value, r.active, r.unit) for r in request.records]
        out = Bench.echo_records(records)
        return pb.Records(records=[pb.Record(id=r.id, name=r.name, value=r.value, active=r.active, unit=r.unit) for r in out])

    async def EchoBytes(self, request: pb.Blob, context: grpc.aio.ServicerContext) -> pb.Blob:
        return pb.Blob(data=Bench.echo_bytes(request.data))


class FeedServicer(bench_pb2_grpc.FeedServicer):
    async def Count(self, request: pb.CountRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[pb.Int]:
        for i in Feed.count(request.n):
            yield pb.Int(value=i)

    async def Blobs(self, request: pb.BlobsRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[pb.Blob]:
        for data in Feed.blobs(request.n, request.size):
            yield pb.Blob(data=data)


async def serve(port: int, *tls: str) -> None:
    options = [("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)]
    server = grpc.aio.server(options=options)
    bench_pb2_grpc.add_BenchServicer_to_server(Servicer(), server)
    bench_pb2_grpc.add_FeedServicer_to_server(FeedServicer(), server)
    if tls:  # over TLS: the certificate and key files
        cert, key = (Path(f).read_bytes() for f in tls)
        server.add_secure_port("127.0.0.1:%d" % port, grpc.ssl_server_credentials([(key, cert)]))
    else:
        server.add_insecure_port("127.0.0.1:%d" % port)
    await server.start()
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), *sys.argv[2:4]))
