"""Values rebuilt between the graft's classes and the hosted module's, by type.

A `Converter` maps each dataclass or enum whose class its `target` maps
(`Local.to_hosted`, `Local.to_graft`), through lists, tuples, sets and
dicts, leaving everything else as it is. What a value needs depends only on
its type, so the converter works it out once per type (`by_type`): the
class it maps to, a dataclass's fields, or nothing at all for a `str`.
"""

import dataclasses
import enum
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .classes import NOT_GIVEN, left_to_hosted
from .tables import _collector_paused, _columns_reader, _parameters

_Convert = Callable[[Any], Any]
_AS_IS = (str, bytes, int, float, type(None))
_PLAIN = frozenset({str, bytes, int, float, bool, type(None)})
_Build = Callable[[Sequence[Any]], List[Any]]


def _same(value: Any) -> Any:
    return value


class Converter:
    """`converter(value)`: `value` with the classes `target` maps rebuilt as those.

    `target(cls)` is the class to rebuild instances of `cls` as, or None to
    keep them; it is asked once per type.
    """

    def __init__(self, target: Callable[[type], Optional[type]],
                 other: Optional[Callable[[type], Optional[_Convert]]] = None, as_dicts: bool = False) -> None:
        self.target = target
        # How to convert instances of any other class, or None to keep them
        # (local.py: graft objects and hosted objects, objects.py).
        self.other = other
        # Inside a pydantic model: models become dicts, for the outer one to validate.
        self.as_dicts = as_dicts
        self._plain: Optional["Converter"] = None
        self.by_type: Dict[type, _Convert] = {}
        # Per mapped dataclass whose instances can be rebuilt by columns:
        # what rebuilds a list of them (filled in with `by_type`).
        self.by_columns: Dict[type, _Build] = {}

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        convert = self.by_type.get(kind)
        if convert is None:
            convert = self.by_type[kind] = self._for(kind)
        return convert(value)

    def _for(self, kind: type) -> _Convert:
        """How to convert a value of type `kind` (the order of `isinstance` checks it replaces)."""
        conv = self
        if issubclass(kind, _AS_IS) and not issubclass(kind, enum.Enum):
            return _same
        if issubclass(kind, list):
            return self._items
        record = _record(self, kind)
        if record is not None:
            return record
        if issubclass(kind, tuple):
            return lambda v: tuple(conv._items(v))
        if issubclass(kind, (set, frozenset)):
            return lambda v: type(v)(conv(x) for x in v)
        if issubclass(kind, dict):
            return lambda v: {conv(k): conv(x) for k, x in v.items()}
        if issubclass(kind, enum.Enum):
            member = self.target(kind)
            return _same if member is None else (lambda v: enum_member(member, v))
        if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
            cls = self.target(kind)
            if cls is None:
                return _same
            if is_model(cls):
                return self._model(cls, kind)
            build = None if left_to_hosted(kind) else _by_columns(self, cls, kind)
            if build is not None:
                self.by_columns[kind] = build
            return self._dataclass(cls, kind)
        if self.other is not None:
            return self.other(kind) or _same
        return _same

    def _model(self, cls: Any, kind: type) -> _Convert:
        """A graft dataclass as the hosted pydantic model `cls`: validated by
        the model from a dict keyed by its aliases, models inside as dicts
        (as a gateway builds it, so errors name the same fields)."""
        if self._plain is None:
            self._plain = self if self.as_dicts else Converter(self.target, self.other, as_dicts=True)
        plain = self._plain
        fields = cls.model_fields
        keys = [(f.name, getattr(fields.get(f.name), "alias", None) or f.name) for f in dataclasses.fields(kind)]

        def as_dict(value: Any) -> Dict[str, Any]:  # a field left to the model's default: not given
            given = ((key, getattr(value, name)) for name, key in keys)
            return {key: plain(x) for key, x in given if x is not NOT_GIVEN}

        if self.as_dicts:
            return as_dict

        def validate(value: Any) -> Any:
            try:
                return cls.model_validate(as_dict(value))
            except Exception as exc:  # noqa: BLE001 - a refused argument, as a gateway answers it
                if _is_validation_error(exc):
                    raise TypeError(str(exc)) from None
                raise

        return validate

    def _items(self, items: Sequence[Any]) -> List[Any]:
        """`[self(x) for x in items]`: by columns when every item is an
        instance of the same dataclass that has a `by_columns` entry. The
        collector is held off, as the items may be many new objects."""
        with _collector_paused(len(items)):
            if items and len(set(map(type, items))) == 1:
                kind = type(items[0])
                if kind not in self.by_type:
                    self.by_type[kind] = self._for(kind)
                build = self.by_columns.get(kind)
                if build is not None:
                    return build(items)
            return [self(x) for x in items]

    def _dataclass(self, cls: type, kind: type) -> _Convert:
        conv = self
        fields: List[Tuple[str, bool]] = [(f.name, f.init) for f in dataclasses.fields(kind)]
        plain = _PLAIN

        def convert(value: Any) -> Any:
            init: Dict[str, Any] = {}
            later: Dict[str, Any] = {}
            for name, is_init in fields:
                x = getattr(value, name)
                if x is NOT_GIVEN:
                    continue  # left to the hosted default
                if type(x) not in plain:
                    x = conv(x)
                if is_init:
                    init[name] = x
                else:
                    later[name] = x
            obj = cls(**init)
            for name, x in later.items():
                object.__setattr__(obj, name, x)
            return obj

        return convert


def _by_columns(conv: Converter, cls: type, kind: type) -> Optional[_Build]:
    """What rebuilds a list of `kind` instances as `cls` instances by
    columns, or None when `cls(*row)` might not be `cls(**fields)`: every
    field of `kind` must be an `init` field (others are set after `__init__`,
    one object at a time) and `cls`'s `__init__` parameters exactly those
    names in order, each passable by position."""
    fields = dataclasses.fields(kind)
    names = tuple(f.name for f in fields)
    if not names or not all(f.init for f in fields) or _parameters(cls) != names:
        return None
    read = _columns_reader(names)
    plain = _PLAIN

    def build(items: Sequence[Any]) -> List[Any]:
        columns = [c if plain.issuperset(map(type, c)) else list(map(conv, c)) for c in read(items)]
        return list(map(cls, *columns))

    return build


def is_model(cls: Any) -> bool:
    """A pydantic model class (the graft itself never imports pydantic)."""
    return hasattr(cls, "__pydantic_fields__") and hasattr(cls, "model_validate")


def _is_validation_error(exc: BaseException) -> bool:
    """A pydantic ValidationError: a model refused the value it was built from."""
    cls = type(exc)
    return cls.__name__ == "ValidationError" and cls.__module__.split(".")[0] in ("pydantic", "pydantic_core")


def is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and isinstance(getattr(cls, "_fields", None), tuple)


def _record(conv: Converter, kind: type) -> Optional[_Convert]:
    """How to convert a NamedTuple or a hosted pydantic model that `conv`
    maps to another class, or None (not one, or not mapped)."""
    if not (is_named_tuple(kind) or is_model(kind)):
        return None
    cls: Any = conv.target(kind)
    if cls is None:
        return None
    if is_named_tuple(kind):
        return lambda v: cls(*[conv(x) for x in v])
    names = list(getattr(kind, "model_fields"))
    return lambda v: cls(**{n: conv(getattr(v, n)) for n in names})


def enum_member(cls: type, value: enum.Enum) -> Any:
    members: Any = cls
    try:
        return members[value.name]
    except KeyError:
        return members(value.value)
