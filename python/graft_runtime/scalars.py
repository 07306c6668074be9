"""The wire's version-6 scalars (docs/PROTOCOL.md section 3): `decimal.Decimal`
exactly as its text, `uuid.UUID` as its 16 bytes, `datetime.timedelta` as
its normalised days, seconds and microseconds, and `datetime.time` as
`time.isoformat()` text (an aware time keeps its offset).

encoder.py and decoder.py take `ENCODERS` and `DECODERS` from here.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import struct
import uuid
from typing import Any, Callable, Dict, Tuple

from .values import DECIMAL, TIME, TIMEDELTA, UUID, WireError, put_str, take_str

_TIMEDELTA = struct.Struct(">iii")
_TAG_TIMEDELTA = struct.Struct(">Biii")


def _enc_timedelta(obj: _dt.timedelta, buf: bytearray, depth: int) -> None:
    buf += _TAG_TIMEDELTA.pack(TIMEDELTA, obj.days, obj.seconds, obj.microseconds)


def _enc_uuid(obj: uuid.UUID, buf: bytearray, depth: int) -> None:
    buf.append(UUID)
    buf += obj.bytes


ENCODERS: Dict[type, Callable[[Any, bytearray, int], None]] = {
    decimal.Decimal: lambda o, b, d: put_str(b, str(o), DECIMAL),
    uuid.UUID: _enc_uuid,
    _dt.timedelta: _enc_timedelta,
    _dt.time: lambda o, b, d: put_str(b, o.isoformat(), TIME),
}


def _d_decimal(data: Any, pos: int, types: Any, depth: int) -> Tuple[decimal.Decimal, int]:
    text, pos = take_str(data, pos, "decimal")
    try:
        return decimal.Decimal(text), pos
    except decimal.InvalidOperation:
        raise WireError("decimal %r is not a number" % text[:40]) from None


def _d_uuid(data: Any, pos: int, types: Any, depth: int) -> Tuple[uuid.UUID, int]:
    if len(data) - pos < 16:
        raise WireError("truncated uuid: needs 16 bytes but only %d remain" % (len(data) - pos))
    return uuid.UUID(bytes=bytes(data[pos:pos + 16])), pos + 16


def _d_timedelta(data: Any, pos: int, types: Any, depth: int) -> Tuple[_dt.timedelta, int]:
    if len(data) - pos < 12:
        raise WireError("truncated timedelta: needs 12 bytes but only %d remain" % (len(data) - pos))
    days, seconds, micros = _TIMEDELTA.unpack_from(data, pos)
    try:
        return _dt.timedelta(days=days, seconds=seconds, microseconds=micros), pos + 12
    except OverflowError:
        raise WireError("timedelta of %d days is out of Python's range" % days) from None


def _d_time(data: Any, pos: int, types: Any, depth: int) -> Tuple[_dt.time, int]:
    text, pos = take_str(data, pos, "time")
    try:
        return _dt.time.fromisoformat(text), pos
    except ValueError:
        raise WireError("time %r is not in ISO 8601 form" % text[:40]) from None


DECODERS = {DECIMAL: _d_decimal, UUID: _d_uuid, TIMEDELTA: _d_timedelta, TIME: _d_time}
