"""The frames `wire.parse_frame` returns, one NamedTuple a kind.

Plain data, kept apart from the parsers in wire.py so each file reads as
one thing; wire.py re-exports every name, and callers keep naming them
`wire.ReplyFrame` and so on. Stdlib only, Python 3.8+.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Tuple

from .errors import Raised


class CallFrame(NamedTuple):
    request_id: int
    service: str
    method: str
    args: List[Any]
    kwargs: Dict[str, Any]
    timeout_ms: int
    object: str = ""  # the object the method is called on (version 6), or empty
    metadata: Tuple[Tuple[str, str], ...] = ()  # (name, value) pairs, names lower-case (version 7)


class CallPartFrame(NamedTuple):
    """The first items of a call's argument, ahead of the Call that carries the rest:
    the keyword argument `argument`, or the first positional one when it is empty."""

    request_id: int
    service: str
    method: str
    argument: str
    value: List[Any]


class ReplyFrame(NamedTuple):
    request_id: int
    value: Any


class ReplyPartFrame(NamedTuple):
    """The first items of a returned list, ahead of the Reply that carries the rest."""

    request_id: int
    value: List[Any]


class ItemsFrame(NamedTuple):
    """The next items of a streaming call, in order."""

    request_id: int
    value: List[Any]


class CreditFrame(NamedTuple):
    """`bytes` added to a streaming call's window."""

    request_id: int
    bytes: int


class CancelFrame(NamedTuple):
    """The client stops consuming a streaming call."""

    request_id: int


class ErrorFrame(NamedTuple):
    request_id: int
    status: int
    raised: Raised


class PingFrame(NamedTuple):
    request_id: int


class PongFrame(NamedTuple):
    request_id: int


class GoodbyeFrame(NamedTuple):
    request_id: int
    reason: str


class ProtocolErrorFrame(NamedTuple):
    request_id: int
    code: int
    message: str
