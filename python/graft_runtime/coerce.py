"""In-process arguments converted as a gateway converts remote ones.

A gateway checks each argument against the declared type and converts it
where Python would accept it anyway (graft_model's `check_value`): an int for
a `float`, a list for a `tuple` or `set` (and back), a raw value for an enum
member, through containers, Optional, Union and dataclass fields. So that a
call in this process gets what the same call over TCP gets, `coerce` applies
the same conversions, by the hosted function's own annotations, and
refuses what a gateway refuses (checks.py): a value of another plain type,
a misfit among plain `Union` options, a dataclass of another class than
the one declared (a subclass too), with the gateway's text. Other values
that do not fit are left as they are.
"""

import dataclasses
import decimal
import enum
import inspect
import types
import typing
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from .checks import DICTS, LISTS, PLAIN_CHECKS, SETS, STRICT, TAKES, fits, strict
from .literals import Misfit, is_literal, literal_check
from .plans import identity_types
from .returns import text
from .tables import _columns_reader

_hints_cache: Dict[Any, Dict[str, Any]] = {}
_signatures: Dict[Tuple[Any, bool], inspect.Signature] = {}


def hints(obj: Any) -> Dict[str, Any]:
    """The resolved annotations of a function or class; {} when they cannot be resolved."""
    key = getattr(obj, "__func__", obj)
    if key not in _hints_cache:
        try:
            _hints_cache[key] = typing.get_type_hints(inspect.unwrap(key))
        except Exception:  # noqa: BLE001 - unresolvable annotations: no conversion
            _hints_cache[key] = {}
    return _hints_cache[key]


def arguments(target: Callable[..., Any], args: Any, kwargs: Dict[str, Any]) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
    """`args` and `kwargs` converted by `target`'s parameter annotations."""
    key = (getattr(target, "__func__", target), hasattr(target, "__self__"))
    signature = _signatures.get(key)
    if signature is None:
        try:
            signature = _signatures[key] = inspect.signature(target)
        except (TypeError, ValueError):
            return tuple(args), kwargs
    return bind(signature, hints(target), args, kwargs)


def bind(signature: inspect.Signature, found: Dict[str, Any], args: Any,
         kwargs: Dict[str, Any]) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
    """`arguments` with the target's signature and annotations already at hand."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return tuple(args), kwargs  # the call itself will raise the TypeError
    for name, value in bound.arguments.items():
        hint = found.get(name)
        if hint is None:
            continue
        kind = bound.signature.parameters[name].kind
        convert = converter(hint)
        try:
            if kind is inspect.Parameter.VAR_POSITIONAL:
                bound.arguments[name] = tuple(convert(v) for v in value)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                bound.arguments[name] = {k: convert(v) for k, v in value.items()}
            else:
                bound.arguments[name] = convert(value)
        except Misfit as misfit:
            raise misfit.error(name) from None
    return bound.args, bound.kwargs


_converters: Dict[Any, Callable[[Any], Any]] = {}


def converter(hint: Any) -> Callable[[Any], Any]:
    """`lambda value: coerce(value, hint)`, with the common cases worked out once.

    A value of a plain type for a plain hint, a list for a list, a dataclass
    instance of exactly its class: handled here without looking at `hint`
    again; anything else goes to `coerce` itself.
    """
    try:
        found = _converters.get(hint)
    except TypeError:  # an unhashable hint
        return lambda value: coerce(value, hint)
    if found is None:
        found = _converters[hint] = _general(hint)  # first, for recursive dataclasses
        found = _converters[hint] = _compile(hint) or found
    return found


def _general(hint: Any) -> Callable[[Any], Any]:
    return lambda value: coerce(value, hint)


def _compile(hint: Any) -> Optional[Callable[[Any], Any]]:
    if is_literal(hint):
        return literal_check(hint)
    if hint in STRICT:
        return strict(hint)
    if hint in TAKES:
        return PLAIN_CHECKS[hint]
    args = typing.get_args(hint)
    if typing.get_origin(hint) in LISTS and len(args) == 1:
        if _is_dataclass(args[0]):
            return _records(hint, args[0])
        item = converter(args[0])
        return lambda value: _each(value, item) if type(value) in _ITEMS else coerce(value, hint)
    if _is_dataclass(hint):
        return _dataclass(hint)
    return None


_ITEMS = frozenset({list, tuple, set, frozenset})


def _each(values: Any, item: Callable[[Any], Any]) -> List[Any]:
    """`[item(v) for v in values]`; a misfit names its index."""
    out: List[Any] = []
    try:
        for v in values:
            out.append(item(v))
    except Misfit as misfit:
        raise Misfit(misfit.expected, misfit.value, "[%d]%s" % (len(out), misfit.path)) from None
    return out
_Field = Tuple[str, FrozenSet[type], Callable[[Any], Any]]  # name, types left as they are, converter


def _is_dataclass(hint: Any) -> bool:
    return (inspect.isclass(hint) and dataclasses.is_dataclass(hint) and not issubclass(hint, enum.Enum)
            and not issubclass(hint, (list, tuple, set, frozenset, dict, str, bytes)))


def _fields(cls: type) -> List[_Field]:
    """`cls`'s annotated fields, each with what `_dataclass` needs to convert it."""
    field_hints = hints(cls)
    return [(f.name, identity_types(field_hints[f.name]), converter(field_hints[f.name]))
            for f in dataclasses.fields(cls) if f.name in field_hints]


def _dataclass(cls: type) -> Callable[[Any], Any]:
    """`_named` for instances of exactly `cls`: its annotated fields converted in place."""
    fields = _fields(cls)

    def convert(value: Any) -> Any:
        if type(value) is not cls:
            raise Misfit(cls.__name__, value)  # a subclass too: a gateway takes only the class declared
        for name, same, field in fields:
            old = getattr(value, name)
            if type(old) in same:
                continue
            try:
                new = field(old)
            except Misfit as misfit:
                raise Misfit(misfit.expected, misfit.value, ".%s%s" % (name, misfit.path)) from None
            if new is not old:
                object.__setattr__(value, name, new)
        return value

    return convert


def _records(hint: Any, cls: type) -> Callable[[Any], Any]:
    """The converter of `hint`, a list of dataclass `cls`: for items that
    are all exactly `cls`, `_dataclass` by columns. A field whose cells are
    all of types it leaves as they are (usually every field) costs one
    pass over its column; only the others are converted object by object."""
    item = converter(cls)
    fields = _fields(cls)
    read = _columns_reader(tuple(name for name, _, _ in fields))

    def convert(value: Any) -> Any:
        if type(value) not in _ITEMS:
            return coerce(value, hint)
        items = list(value)
        if not items or len(set(map(type, items))) != 1 or type(items[0]) is not cls:
            return _each(items, item)
        for (name, same, field), column in zip(fields, read(items)):
            if not same.issuperset(map(type, column)):
                _column(items, name, column, same, field)
        return items

    return convert


def _column(items: List[Any], name: str, column: List[Any], same: FrozenSet[type],
            field: Callable[[Any], Any]) -> None:
    """`_dataclass`'s conversion of field `name` of each of `items` (its
    values `column`), in place."""
    for i, (obj, old) in enumerate(zip(items, column)):
        if type(old) in same:
            continue
        try:
            new = field(old)
        except Misfit as misfit:
            raise Misfit(misfit.expected, misfit.value, "[%d].%s%s" % (i, name, misfit.path)) from None
        if new is not old:
            object.__setattr__(obj, name, new)


def coerce(value: Any, hint: Any) -> Any:
    """`value` as a gateway would pass it for the declared type `hint`."""
    plain = PLAIN_CHECKS.get(hint) if isinstance(hint, type) else None
    if plain is not None:
        return plain(value)
    if hint is decimal.Decimal and type(value) is int:
        return decimal.Decimal(value)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or (origin is not None and origin is getattr(types, "UnionType", None)):
        return _union(value, args)
    container = origin if origin is not None else hint
    if isinstance(value, (list, tuple, set, frozenset)) and not isinstance(value, (str, bytes)):
        converted = _sequence(value, container, args)
        if converted is not None:
            return converted
    if isinstance(value, dict) and container in DICTS:
        key, item = (args + (Any, Any))[:2]
        return {_inside(" key", k, key): _inside("[...]", v, item) for k, v in value.items()}
    if inspect.isclass(hint):
        return _named(value, hint)
    return value


def _union(value: Any, options: Tuple[Any, ...]) -> Any:
    if value is None:
        return None
    real = [o for o in options if o is not type(None)]
    if type(value) is int and len(real) > 1 and (int in real or float in real):
        return value  # an int stays an int where an option takes it as it is (a type checker takes it for a float)
    for option in options:
        if option is not type(None) and fits(value, option):
            return coerce(value, option)
    if all(o in TAKES for o in options):  # plain options only: refused, as a gateway refuses it
        raise Misfit(text(real[0]) if len(real) == 1 else "Union[%s]" % ", ".join(map(text, real)), value)
    return value


def _inside(segment: str, value: Any, hint: Any) -> Any:
    """`coerce(value, hint)` for a part of a value; a misfit names `segment` (`[2]`, ` key`)."""
    try:
        return coerce(value, hint)
    except Misfit as misfit:
        raise Misfit(misfit.expected, misfit.value, segment + misfit.path) from None


def _sequence(value: Any, container: Any, args: Tuple[Any, ...]) -> Optional[Any]:
    item = args[0] if args else Any
    if container in LISTS:
        return [_inside("[%d]" % i, v, item) for i, v in enumerate(value)]
    if container in SETS:
        return {_inside("[%d]" % i, v, item) for i, v in enumerate(value)}
    if container is tuple and isinstance(value, (list, tuple)):
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            return tuple(_inside("[%d]" % i, v, item) for i, v in enumerate(value))
        if len(args) == len(value):
            return tuple(_inside("[%d]" % i, v, t) for i, (v, t) in enumerate(zip(value, args)))
    return None


def _named(value: Any, cls: type) -> Any:
    if _named_tuple_of(value, cls):  # a tuple for a NamedTuple: its fields by position, as a gateway takes it
        return cls(*value)
    if issubclass(cls, enum.Enum) and not isinstance(value, cls):
        try:
            return cls(value)
        except ValueError:
            return value
    if _is_dataclass(cls) and type(value) is not cls:
        raise Misfit(cls.__name__, value)  # a subclass too: a gateway takes only the class declared
    if dataclasses.is_dataclass(cls) and isinstance(value, cls):
        field_hints = hints(cls)
        for f in dataclasses.fields(cls):
            if f.name in field_hints:
                old = getattr(value, f.name)
                new = _inside("." + f.name, old, field_hints[f.name])
                if new is not old:
                    object.__setattr__(value, f.name, new)
    return value


def _named_tuple_of(value: Any, cls: type) -> bool:
    """Whether `value` is a plain tuple or list that fills the NamedTuple `cls` by position."""
    fields = getattr(cls, "_fields", None)
    if not issubclass(cls, tuple) or not isinstance(fields, tuple) or type(value) not in (tuple, list):
        return False
    defaults = getattr(cls, "_field_defaults", {})
    return len(value) <= len(fields) and all(f in defaults for f in fields[len(value):])
