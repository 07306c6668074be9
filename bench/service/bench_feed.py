"""The benchmark's streaming service: methods that yield their results.

`gg` hosts this module for the stream workloads (`gg --modules
bench/service/bench_feed.py`), so Graft exposes `Feed`; the gRPC server
imports the same class and yields the same items from its server-streaming
RPCs. A module of its own, beside bench_service.py, so the call workloads
and their Graft `graft-pypi-bench` do not change with it.
"""

from typing import Iterator

# Item i of `blobs` is a slice of this block starting at i % 251, so
# consecutive items differ and a caller can check each one in order.
_BLOCK = bytes(j % 251 for j in range((1 << 20) + 251))


class Feed:
    """Plain generators, as a service with its logic in plain Python would write them."""

    @staticmethod
    def count(n: int) -> Iterator[int]:
        """0, 1, ..., n-1."""
        yield from range(n)

    @staticmethod
    def blobs(n: int, size: int) -> Iterator[bytes]:
        """n byte strings of `size` bytes (at most 1 MiB each), item i starting at byte i % 251 of the block."""
        block = _BLOCK
        for i in range(n):
            start = i % 251
            yield block[start : start + size]
