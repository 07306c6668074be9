"""A hosted method's result converted to the graft's classes and checked
against its return annotation in the same pass (returns.py has the rules'
names and messages; the gateway's are crates/graft-python/src/fits.rs).

`typed(hint, conv)` is a function made once per annotation and converter:
it gives `conv(value)` (convert.py's conversion by type) or raises
`Misfit`. The rules, as a type checker sees values: a bool is an int, an
int a float, a datetime a date, an enum member its value's type; a list,
tuple or set fits any of `list`, `set` and `tuple[T, ...]`; a dataclass,
NamedTuple or model is checked field by field when it is of the very class
named (an object of another class passes as it is); a TypedDict's keys
present are checked; `Any` is not looked into. A list of records is read
by columns once: each column's types are looked at once, to check it and
to see whether it needs converting.
"""

import dataclasses
import enum
import inspect
import json
import typing
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from .literals import _is
from .returns import _PLAIN, _UNIONS, SCALARS, Misfit, container, is_record, text
from .tables import _collector_paused

_Fn = Callable[[Any], Any]
_Field = Tuple[str, FrozenSet[type], _Fn]  # name, the types that fit and need no converting, the typed function
_ITEMS = (list, tuple, set, frozenset)
_no_converter: Dict[Any, _Fn] = {}


def _same(value: Any) -> Any:
    return value


def convert(conv: Any, returns: Tuple[str, Any], value: Any, index: Optional[int] = None) -> Any:
    """`value` converted by `conv`, checked against `returns` (the method's
    name and return annotation; with `index`, a stream's item annotation and
    the item's index)."""
    name, hint = returns
    try:
        return typed(hint, conv)(value)
    except Misfit as misfit:
        raise misfit.error(name, index) from None


def typed(hint: Any, conv: Optional[_Fn]) -> _Fn:
    """The typed conversion of `hint` with `conv` (None: values kept as they are), made once."""
    cache: Dict[Any, _Fn] = _no_converter if conv is None else conv.__dict__.setdefault("returning", {})
    try:
        found = cache.get(hint)
    except TypeError:  # an unhashable annotation: made each time
        return _make(hint, conv)
    if found is None:
        cache[hint] = lambda value: cache[hint](value)  # a recursive type refers back here while it is made
        found = cache[hint] = _make(hint, conv)
    return found


def _make(hint: Any, conv: Optional[_Fn]) -> _Fn:
    same = conv if conv is not None else _same
    hint = getattr(hint, "__supertype__", hint)  # a NewType is its type
    if hint is None or hint is Any:
        return same
    if _hashable(hint) and hint in SCALARS:
        return _scalar(hint, same)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return _literal(hint, args, same)
    if origin in _UNIONS:
        return _union(hint, args, conv)
    if origin is tuple or hint is tuple:
        return _tuple(hint, args, conv)
    shape = container(origin if origin is not None else hint)
    if shape == "dict":
        key, value = (args + (Any, Any))[:2]
        return _dict(hint, typed(key, conv), typed(value, conv))
    if shape is not None:
        return _items(hint, args[0] if args else Any, conv)
    if not inspect.isclass(hint):
        return same
    if issubclass(hint, enum.Enum):
        return _instance(hint, enum.Enum, same)
    from .typed_records import record, typed_dict  # noqa: PLC0415 - they use this module

    if issubclass(hint, dict) and hasattr(hint, "__total__"):
        return typed_dict(hint, conv)
    if dataclasses.is_dataclass(hint) or is_record(hint):
        return record(hint, conv)
    return _instance(hint, hint, same)  # a hosted service class: its instances


def _hashable(hint: Any) -> bool:
    try:
        hash(hint)
    except TypeError:
        return False
    return True


def fast_types(hint: Any) -> FrozenSet[type]:
    """The types whose values fit `hint` and are kept as they are by the conversion, by `type(value)`."""
    if hint is None or hint is Any:
        return _PLAIN
    if _hashable(hint) and hint in SCALARS:
        fitting = SCALARS[hint][0]
        return frozenset(fitting + ((bool,) if int in fitting else ()))
    if typing.get_origin(hint) in _UNIONS:
        options = [fast_types(a) for a in typing.get_args(hint)]
        return frozenset().union(*options) if all(options) else frozenset()
    return frozenset()


def _scalar(hint: Any, same: _Fn) -> _Fn:
    fitting, name = SCALARS[hint]
    fast = fast_types(hint)

    def scalar(value: Any) -> Any:
        if type(value) in fast:
            return value
        raw = value.value if isinstance(value, enum.Enum) else value
        if isinstance(raw, fitting) and (raw is value or not isinstance(raw, enum.Enum)):
            return same(value)
        raise Misfit(value, name)

    return scalar


def _literal(hint: Any, allowed: Tuple[Any, ...], same: _Fn) -> _Fn:
    expected = text(hint)

    def literal(value: Any) -> Any:
        raw = value.value if isinstance(value, enum.Enum) else value
        if any(_is(raw, a) for a in allowed):
            return same(value)
        raise Misfit(value, expected)

    return literal


def _union(hint: Any, args: Tuple[Any, ...], conv: Optional[_Fn]) -> _Fn:
    real = [a for a in args if a is not type(None)]
    expected = text(hint)
    if len(real) == 1 and len(args) == 2:  # Optional: a misfit right at the value names the Optional
        inner = typed(real[0], conv)

        def optional(value: Any) -> Any:
            if value is None:
                return None
            try:
                return inner(value)
            except Misfit as misfit:
                if not misfit.path:
                    misfit.expected = expected
                raise

        return optional
    options = [typed(a, conv) for a in args]

    def union(value: Any) -> Any:
        for option in options:
            try:
                return option(value)
            except Misfit:
                continue
        raise Misfit(value, expected)

    return union


def _instance(hint: Any, cls: type, same: _Fn) -> _Fn:
    """An enum (any member passes) or a hosted service class (its instances)."""
    name = hint.__name__

    def instance(value: Any) -> Any:
        if isinstance(value, cls):
            return same(value)
        raise Misfit(value, name)

    return instance


def _rebuilt(value: Any, items: List[Any]) -> Any:
    """`items` in the container `value` was, as the conversion by type gives it back."""
    kind = type(value)
    if issubclass(kind, list):
        return items
    if issubclass(kind, tuple):
        return tuple(items)
    return kind(items)


def _each(values: Any, item: _Fn) -> List[Any]:
    """`[item(v) for v in values]`; a misfit names its index."""
    out: List[Any] = []
    try:
        for v in values:
            out.append(item(v))
    except Misfit as misfit:
        raise misfit.inside("[%d]" % len(out)) from None
    return out


def _items(hint: Any, item_hint: Any, conv: Optional[_Fn]) -> _Fn:
    item = typed(item_hint, conv)
    fast = fast_types(item_hint)
    expected = text(hint)
    from .typed_records import records as by_columns  # noqa: PLC0415 - it uses this module

    is_class = inspect.isclass(item_hint) and dataclasses.is_dataclass(item_hint)
    records = by_columns(item_hint, conv) if is_class else None

    def items(value: Any) -> Any:
        if not isinstance(value, _ITEMS) or is_record(type(value)):
            raise Misfit(value, expected)
        kinds = set(map(type, value))
        if kinds <= fast:
            return list(value) if type(value) is list else _rebuilt(value, list(value))
        if records is not None and len(kinds) == 1 and item_hint in kinds and type(value) is list:
            return records(value)
        with _collector_paused(len(value)):
            return _rebuilt(value, _each(value, item))

    return items


def _tuple(hint: Any, args: Tuple[Any, ...], conv: Optional[_Fn]) -> _Fn:
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        return _items(hint, args[0] if args else Any, conv)
    each = [typed(a, conv) for a in args if a != ()]
    expected = text(hint)

    def fixed(value: Any) -> Any:
        if type(value) not in (list, tuple) or len(value) != len(each):
            raise Misfit(value, expected)
        out = _each(range(len(each)), lambda i: each[i](value[i]))
        return out if type(value) is list else tuple(out)

    return fixed


def _key_segment(key: Any) -> str:
    return " key %s" % json.dumps(key, ensure_ascii=False) if isinstance(key, str) else " key"


def _entry_segment(key: Any) -> str:
    return "[%s]" % json.dumps(key, ensure_ascii=False) if isinstance(key, str) else "[...]"


def _dict(hint: Any, key: _Fn, item: _Fn) -> _Fn:
    expected = text(hint)

    def mapping(value: Any) -> Any:
        if not isinstance(value, dict):
            raise Misfit(value, expected)
        out = {}
        for k, v in value.items():
            try:
                k2 = key(k)
            except Misfit as misfit:
                raise misfit.inside(_key_segment(k)) from None
            try:
                out[k2] = item(v)
            except Misfit as misfit:
                raise misfit.inside(_entry_segment(k)) from None
        return out

    return mapping
