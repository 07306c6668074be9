"""The REST server: FastAPI on uvicorn, one process, with uvloop and httptools.

Records cross as JSON, validated into bench_service's Record dataclass by
FastAPI (pydantic) and written back through the declared return type; bytes
cross as a raw application/octet-stream body. Usage: rest_server.py PORT.
"""

import sys
from pathlib import Path
from typing import List

import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))
from bench_service import Bench, Record  # noqa: E402

app = FastAPI()


class AddArgs(BaseModel):
    a: int
    b: int


@app.post("/add")
async def add(args: AddArgs) -> int:
    return Bench.add(args.a, args.b)


@app.post("/echo_records")
async def echo_records(records: List[Record]) -> List[Record]:
    return Bench.echo_records(records)


@app.post("/echo_bytes")
async def echo_bytes(request: Request) -> Response:
    return Response(Bench.echo_bytes(await request.body()), media_type="application/octet-stream")


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )
