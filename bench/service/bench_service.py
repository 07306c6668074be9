"""The benchmark's service: the methods every system in `bench/` runs.

`gg` hosts this module as is (`gg --modules bench/service/bench_service.py`),
so Graft exposes `Bench` and its data type `Record`; the gRPC and REST
servers import the same class and call the same methods. Helpers live
elsewhere (`bench/clients/payloads.py`): a public function here would become
a second service.
"""

from dataclasses import dataclass
from typing import List


@dataclass
class Record:
    """One small record; 10,000 of them make the payload (about 1 MB on Graft's wire)."""

    id: int
    name: str
    value: float
    active: bool
    unit: str


class Bench:
    """The two methods of the benchmark, and the bytes variant of the payload one."""

    @staticmethod
    def add(a: int, b: int) -> int:
        return a + b

    @staticmethod
    def echo_records(records: List[Record]) -> List[Record]:
        return records

    @staticmethod
    def echo_bytes(data: bytes) -> bytes:
        return data
