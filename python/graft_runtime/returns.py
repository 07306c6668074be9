"""A hosted method's result against its return annotation, in this process
as a gateway checks it (crates/graft-python/src/returns.rs): a value that
does not fit a scalar return type (`-> int` returning a str, `-> Decimal`
returning a float) raises TypeError naming the method and the type, with
the gateway's message, never a wrong answer. Containers and named types
are not checked here, as there.
"""

import dataclasses
import datetime as _dt
import decimal
import enum
import inspect
import types
import typing
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union

from .plans import MISS

_UNIONS = (typing.Union, getattr(types, "UnionType", typing.Union))

# A scalar annotation: the types that fit it (as a type checker sees them) and its name as the gateway writes it.
_SCALARS: Dict[Any, Tuple[Tuple[type, ...], str]] = {
    type(None): ((type(None),), "None"),
    bool: ((bool,), "bool"),
    int: ((int,), "int"),
    float: ((float, int), "float"),
    str: ((str,), "str"),
    bytes: ((bytes, bytearray), "bytes"),
    _dt.datetime: ((_dt.datetime,), "datetime"),
    _dt.date: ((_dt.date,), "date"),
    decimal.Decimal: ((decimal.Decimal,), "Decimal"),
    uuid.UUID: ((uuid.UUID,), "UUID"),
    _dt.timedelta: ((_dt.timedelta,), "timedelta"),
    _dt.time: ((_dt.time,), "time"),
}
_KINDS: List[Tuple[Union[type, Tuple[type, ...]], str]] = [(bool, "bool"), (int, "int"), (float, "float"), (str, "str"), ((bytes, bytearray), "bytes"),
          (list, "list"), (tuple, "tuple"), ((set, frozenset), "set"), (dict, "dict"), (_dt.datetime, "datetime"),
          (_dt.date, "date"), (decimal.Decimal, "Decimal"), (uuid.UUID, "UUID"), (_dt.timedelta, "timedelta"),
          (_dt.time, "time")]


def _scalar(hint: Any) -> Optional[Tuple[Tuple[type, ...], str]]:
    """What fits `hint` and its name, when it is a scalar type or a Union of them; else None."""
    if hint in _SCALARS:
        return _SCALARS[hint]
    if typing.get_origin(hint) not in _UNIONS:
        return None
    args = typing.get_args(hint)
    fitting: Tuple[type, ...] = ()
    names: List[str] = []
    for arg in args:
        found = None if arg is type(None) else _scalar(arg)
        if found is None and arg is not type(None):
            return None
        if found is not None:
            fitting += found[0]
            names.append(found[1])
    name = names[0] if len(names) == 1 else "Union[%s]" % ", ".join(names)
    if len(names) < len(args):
        return fitting + (type(None),), "Optional[%s]" % name
    return fitting, name


def _kind(value: Any) -> str:
    """The value's kind as the gateway names it (`Value::kind`)."""
    if value is None:
        return "None"
    if isinstance(value, enum.Enum):
        return "enum"
    if dataclasses.is_dataclass(value):
        return "object"
    return next((name for cls, name in _KINDS if isinstance(value, cls)), type(value).__name__)


def checker(name: str, hint: Any) -> Optional[Callable[[Any], Any]]:
    """For the method `name` (Service.method) returning `hint`: a function that
    gives back its result, or raises TypeError if it does not fit; None when
    `hint` is not checked (not a scalar type)."""
    try:
        found = _scalar(hint)
    except TypeError:  # an unhashable annotation: not a scalar
        return None
    if found is None:
        return None
    fitting, text = found

    def check(value: Any) -> Any:
        if isinstance(value, fitting):
            return value
        if isinstance(value, enum.Enum) and isinstance(value.value, fitting):
            return value
        raise TypeError("%s returned a value of type %s where its annotation says %s" % (name, _kind(value), text))

    return check


def checked(result: Any, check: Callable[[Any], Any]) -> Any:
    """`check(result)`, or, for an awaitable result, an awaitable of it."""
    if inspect.isawaitable(result):
        return _checked_later(result, check)
    return check(result)


async def _checked_later(result: Awaitable[Any], check: Callable[[Any], Any]) -> Any:
    return check(await result)


def checked_fast(fast: Callable[[Dict[str, Any]], Any], check: Callable[[Any], Any]) -> Callable[[Dict[str, Any]], Any]:
    """A plan's `fast` whose results are checked (MISS passes)."""

    def checked_call(kwargs: Dict[str, Any]) -> Any:
        result = fast(kwargs)
        return result if result is MISS else checked(result, check)

    return checked_call
