"""Values rebuilt between the graft's classes and the hosted module's, by type.

A `Converter` maps each dataclass or enum whose class its `target` maps
(`Local.to_hosted`, `Local.to_graft`), through lists, tuples, sets and
dicts, leaving everything else as it is. What a value needs depends only on
its type, so the converter works it out once per type (`by_type`): the
class it maps to, a dataclass's fields, or nothing at all for a `str`.
"""

import dataclasses
import enum
from typing import Any, Callable, Dict, List, Optional, Tuple

_Convert = Callable[[Any], Any]
_AS_IS = (str, bytes, int, float, type(None))
_PLAIN = frozenset({str, bytes, int, float, bool, type(None)})


def _same(value: Any) -> Any:
    return value


class Converter:
    """`converter(value)`: `value` with the classes `target` maps rebuilt as those.

    `target(cls)` is the class to rebuild instances of `cls` as, or None to
    keep them; it is asked once per type.
    """

    def __init__(self, target: Callable[[type], Optional[type]]) -> None:
        self.target = target
        self.by_type: Dict[type, _Convert] = {}

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
            return lambda v: [conv(x) for x in v]
        if issubclass(kind, tuple):
            return lambda v: tuple(conv(x) for x in v)
        if issubclass(kind, (set, frozenset)):
            return lambda v: type(v)(conv(x) for x in v)
        if issubclass(kind, dict):
            return lambda v: {conv(k): conv(x) for k, x in v.items()}
        if issubclass(kind, enum.Enum):
            member = self.target(kind)
            return _same if member is None else (lambda v: enum_member(member, v))
        if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
            cls = self.target(kind)
            return _same if cls is None else self._dataclass(cls, kind)
        return _same

    def _dataclass(self, cls: type, kind: type) -> _Convert:
        conv = self
        fields: List[Tuple[str, bool]] = [(f.name, f.init) for f in dataclasses.fields(kind)]
        plain = _PLAIN

        def convert(value: Any) -> Any:
            init: Dict[str, Any] = {}
            later: Dict[str, Any] = {}
            for name, is_init in fields:
                x = getattr(value, name)
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


def enum_member(cls: type, value: enum.Enum) -> Any:
    members: Any = cls
    try:
        return members[value.name]
    except KeyError:
        return members(value.value)
