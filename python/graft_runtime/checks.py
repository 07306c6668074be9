"""What a gateway takes for an argument, checked in-process the same way
(graft_model's check; coerce.py converts by these): a plain annotation by
the value's exact type (a bool is no int, a str no number), the strict
scalars (`Decimal`, `UUID`, `timedelta`, `time`, `date`, `datetime`),
`fits` for choosing a `Union` option, and `json_text`, a refused value as
the gateway writes it in its message.
"""

import base64
import collections.abc
import dataclasses
import datetime
import decimal
import enum
import inspect
import json
import typing
import uuid
from typing import Any, Callable, Dict, FrozenSet, Tuple

from .literals import Misfit
from .returns import text

LISTS = (list, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Iterable)
SETS = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)
DICTS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


# The scalars a gateway takes only as themselves (a Decimal also from an int): anything else is refused, as there.
STRICT: Dict[Any, Tuple[type, str]] = {
    decimal.Decimal: (decimal.Decimal, "Decimal"), uuid.UUID: (uuid.UUID, "UUID"),
    datetime.timedelta: (datetime.timedelta, "timedelta"), datetime.time: (datetime.time, "time"),
    datetime.datetime: (datetime.datetime, "datetime"), datetime.date: (datetime.date, "date"),
}


# What a gateway takes for a plain annotation (graft_model's check), by exact
# type: a bool is no int, a str no number; an int for a float becomes a float.
TAKES: Dict[Any, FrozenSet[type]] = {
    int: frozenset({int}), float: frozenset({float, int}), str: frozenset({str}),
    bytes: frozenset({bytes, bytearray}), bool: frozenset({bool}), type(None): frozenset({type(None)}),
}


def _plain(hint: Any) -> Callable[[Any], Any]:
    """The check of a value for the plain annotation `hint` (one of `TAKES`)."""
    takes, name = TAKES[hint], text(hint)

    def plain(value: Any) -> Any:
        if type(value) not in takes:
            raise Misfit(name, value)
        return float(value) if hint is float and type(value) is int else value

    return plain


PLAIN_CHECKS = {hint: _plain(hint) for hint in TAKES}


def strict(hint: Any) -> Callable[[Any], Any]:
    """The check of a value for one of `STRICT`'s scalars."""
    cls, name = STRICT[hint]

    def strict(value: Any) -> Any:
        if isinstance(value, cls) and (hint is not datetime.date or not isinstance(value, datetime.datetime)):
            return value
        if hint is decimal.Decimal and type(value) is int:
            return decimal.Decimal(value)
        raise Misfit(name, value)

    return strict


def fits(value: Any, hint: Any) -> bool:
    """Whether a gateway would accept `value` for `hint` (for choosing a Union option)."""
    if hint is Any:
        return True
    if hint is float:
        return type(value) in (int, float)
    if hint is decimal.Decimal:
        return type(value) is int or isinstance(value, decimal.Decimal)
    if hint in (int, bool, str, bytes):
        return type(value) is hint or (hint is bytes and isinstance(value, bytearray))
    origin = typing.get_origin(hint) or hint
    if origin is typing.Union:
        return any(fits(value, h) for h in typing.get_args(hint))
    if origin in LISTS or origin in SETS or origin is tuple:
        return isinstance(value, (list, tuple, set, frozenset))
    if origin in DICTS:
        return isinstance(value, dict)
    if inspect.isclass(hint) and issubclass(hint, enum.Enum):
        return isinstance(value, hint) or value in {m.value for m in hint}
    return inspect.isclass(origin) and isinstance(value, origin)


def json_text(value: Any) -> str:
    """`value` as a gateway writes a refused value: compact JSON, object keys
    sorted, a dataclass as the object of its fields, an enum member as its
    value, a Decimal, UUID, date or time as its text, bytes as base64."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_form, sort_keys=True)
    except TypeError:  # keys of several types cannot be sorted
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_form)


def _json_form(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return repr(value)
