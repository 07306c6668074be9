"""A hosted method's result against its return annotation, in this process
as a gateway checks it (crates/graft-python/src/returns.rs and fits.rs): a
value that does not fit (`-> int` returning a str, `-> list[Decimal]`
returning floats) raises TypeError naming the method, where inside the
value (`returns[2].price`) and the type there, with the gateway's message,
never a wrong answer. The check is made while the result is converted to
the graft's classes (typed.py), not as a walk of its own.
"""

import dataclasses
import datetime as _dt
import decimal
import enum
import types
import typing
import uuid
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

from .literals import _py_text

_UNIONS = (typing.Union, getattr(types, "UnionType", typing.Union))
_PLAIN: FrozenSet[type] = frozenset({int, float, str, bytes, bool, type(None)})

# A scalar annotation: the types that fit it (as a type checker sees them) and its name as the gateway writes it.
SCALARS: Dict[Any, Tuple[Tuple[type, ...], str]] = {
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
_KINDS: List[Tuple[Union[type, Tuple[type, ...]], str]] = [
    (bool, "bool"), (int, "int"), (float, "float"), (str, "str"), ((bytes, bytearray), "bytes"), (list, "list"),
    (tuple, "tuple"), ((set, frozenset), "set"), (dict, "dict"), (_dt.datetime, "datetime"), (_dt.date, "date"),
    (decimal.Decimal, "Decimal"), (uuid.UUID, "UUID"), (_dt.timedelta, "timedelta"), (_dt.time, "time")]


class Misfit(Exception):
    """A value that does not fit `expected` (its text); `path` is where (`[2].price`), built as it unwinds."""

    def __init__(self, value: Any, expected: str, path: str = "") -> None:
        super().__init__(expected)
        self.kind = kind(value)
        self.expected = expected
        self.path = path

    def inside(self, segment: str) -> "Misfit":
        self.path = segment + self.path
        return self

    def error(self, name: str, index: Optional[int] = None) -> TypeError:
        """The gateway's TypeError for it, `name` the method (Service.method);
        with `index`, for the item of a stream at that index."""
        if index is not None:
            return TypeError("%s yielded a value of type %s at items[%d]%s where its annotation says %s"
                             % (name, self.kind, index, self.path, self.expected))
        at = " at returns%s" % self.path if self.path else ""
        return TypeError("%s returned a value of type %s%s where its annotation says %s"
                         % (name, self.kind, at, self.expected))


def kind(value: Any) -> str:
    """The value's kind as the gateway names it (`Value::kind`)."""
    if value is None:
        return "None"
    if isinstance(value, enum.Enum):
        return "enum"
    if dataclasses.is_dataclass(value) or is_record(type(value)):
        return "object"
    found = next((name for cls, name in _KINDS if isinstance(value, cls)), None)
    return found if found is not None else "object reference"


def is_record(cls: type) -> bool:
    """A pydantic model or a NamedTuple: objects of fields, as a gateway reads them."""
    named_tuple = issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple)
    return named_tuple or (hasattr(cls, "__pydantic_fields__") and hasattr(cls, "model_validate"))


def text(hint: Any) -> str:
    """`hint` as the gateway writes the type (`TypeRef::python`)."""
    if hint is Any or hint is None:
        return "Any" if hint is Any else "None"
    if hint in SCALARS:
        return SCALARS[hint][1]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return "Literal[%s]" % ", ".join(_py_text(v) for v in args)
    if origin in _UNIONS:
        real = [a for a in args if a is not type(None)]
        if len(real) < len(args):
            inner = text(real[0]) if len(real) == 1 else "Union[%s]" % ", ".join(map(text, real))
            return "Optional[%s]" % inner
        return "Union[%s]" % ", ".join(map(text, args))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return "tuple[%s, ...]" % text(args[0])
        return "tuple[%s]" % (", ".join(map(text, args)) or "()")
    shape = container(origin)
    if shape == "dict":
        key, value = (args + (Any, Any))[:2]
        return "dict[%s, %s]" % (text(key), text(value))
    if shape is not None:
        return "%s[%s]" % (shape, text(args[0]) if args else "Any")
    return getattr(hint, "__name__", str(hint))


_STREAMS = ("Iterator", "AsyncIterator", "Generator", "AsyncGenerator", "Iterable", "AsyncIterable")


def item_hint(hint: Any) -> Any:
    """A streaming method's item annotation (`Row` of `Iterator[Row]`), else None."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is not None and getattr(origin, "__name__", "") in _STREAMS and args:
        return args[0]
    return None


def container(origin: Any) -> Optional[str]:
    """"list", "set" or "dict" for a container annotation's origin (as discovery reads it), else None."""
    import collections.abc as abc

    if origin in (list, abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection):
        return "list"
    if origin in (set, frozenset, abc.Set, abc.MutableSet):
        return "set"
    if origin in (dict, abc.Mapping, abc.MutableMapping):
        return "dict"
    return None


def scalar(hint: Any) -> Optional[Tuple[Tuple[type, ...], str]]:
    """What fits `hint` and its name, when it is a scalar type or a Union of them; else None."""
    try:
        if hint in SCALARS:
            return SCALARS[hint]
    except TypeError:  # an unhashable annotation: not a scalar
        return None
    if typing.get_origin(hint) not in _UNIONS:
        return None
    fitting: Tuple[type, ...] = ()
    for arg in typing.get_args(hint):
        found = scalar(arg)
        if found is None:
            return None
        fitting += found[0]
    return fitting, text(hint)


def plain_check(name: str, hint: Any) -> Optional[Callable[[Any], None]]:
    """For a plan's fast path, whose results of a plain type (int, str, ...)
    skip the conversion: what checks such a result against `hint`; None when
    no plain value needs checking (`hint` unannotated or Any)."""
    if hint is None or hint is Any:
        return None
    from .typed import typed  # noqa: PLC0415 - typed imports this module

    fine = frozenset(t for t in _PLAIN if _fits_plain(t, hint))
    check = typed(hint, None)

    def plain(value: Any) -> None:
        if type(value) not in fine:
            try:
                check(value)
            except Misfit as misfit:
                raise misfit.error(name) from None

    setattr(plain, "fine", fine)  # the types it passes at once (checked_fast)
    return plain


def _fits_plain(kind_: type, hint: Any) -> bool:
    """Whether every value of the plain type `kind_` fits `hint` (not for a Literal: its values count)."""
    found = scalar(hint)
    return found is not None and issubclass(kind_, found[0])


def checked_fast(fast: Callable[[Dict[str, Any]], Any], check: Callable[[Any], None]) -> Callable[[Dict[str, Any]], Any]:
    """A plan's `fast` whose plain results are checked (others are checked as
    they are converted): written again with the check inside (plans._fast),
    or wrapped."""
    with_check = getattr(fast, "with_check", None)
    if with_check is not None:
        made: Callable[[Dict[str, Any]], Any] = with_check(check, _PLAIN - getattr(check, "fine", frozenset()))
        return made
    plain = _PLAIN

    def checked_call(kwargs: Dict[str, Any]) -> Any:
        result = fast(kwargs)
        if type(result) in plain:
            check(result)
        return result

    return checked_call
