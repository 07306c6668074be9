"""The benchmark's service: the methods every system in `bench/` runs.

`gg` hosts this module as is (`gg --modules bench/service/bench_service.py`),
so Graft exposes `Bench` and its data type `Record`, and `Tally`, a class of
remote objects; the gRPC and REST servers import the same class and call the
same methods (they have no objects: `Tally` is Graft's and the direct call's). Helpers live
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

    @staticmethod
    def tally(start: int = 0) -> "Tally":
        """A new Tally: through gg, a remote object living on the gateway."""
        return Tally(start)


class Tally:
    """An object whose method does add's work: the benchmark's call on a remote object
    (a class with instance methods; its graft class comes with Bench's, named by Bench.tally)."""

    def __init__(self, start: int = 0) -> None:
        self.start = start

    def add(self, a: int, b: int) -> int:
        return a + b
