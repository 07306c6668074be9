"""Typed conversion of records (typed.py): a dataclass, NamedTuple or model
of exactly the class a return annotation names has its fields checked, a
dataclass's converted with them; a list of exactly one dataclass is read by
columns once, each column's types looked at once to check it and to see
whether it needs converting; a TypedDict's keys present are checked.
"""

import dataclasses
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .coerce import hints as _hints
from .returns import Misfit, is_record
from .tables import _collector_paused, _columns_reader, _parameters
from .typed import _Field, _Fn, _each, _entry_segment, _same, fast_types, typed


def fields_of(cls: type, conv: Optional[_Fn], names: Sequence[str]) -> List[_Field]:
    found = _hints(cls)
    return [(n, fast_types(found.get(n)), typed(found.get(n), conv)) for n in names]


def check_fields(value: Any, fields: List[_Field], path: str = "") -> None:
    for name, fast, field in fields:
        x = getattr(value, name)
        if type(x) not in fast:
            try:
                field(x)
            except Misfit as misfit:
                raise misfit.inside(".%s" % name).inside(path) from None


def typed_dict(cls: type, conv: Optional[_Fn]) -> _Fn:
    found = _hints(cls)
    checks = {n: typed(h, None) for n, h in found.items()}
    same = conv if conv is not None else _same

    def typed_dict(value: Any) -> Any:
        if not isinstance(value, dict):
            raise Misfit(value, cls.__name__)
        for k, v in value.items():
            check = checks.get(k) if isinstance(k, str) else None
            if check is not None:
                try:
                    check(v)
                except Misfit as misfit:
                    raise misfit.inside(_entry_segment(k)) from None
        return same(value)

    return typed_dict


def record(cls: type, conv: Optional[_Fn]) -> _Fn:
    """A dataclass, NamedTuple or model of exactly `cls`: its fields checked (and a
    dataclass's converted with them); a record of another class passes as it is."""
    same = conv if conv is not None else _same
    plan: List[Any] = []  # made on first use: a recursive class's fields refer back to `cls`

    def record(value: Any) -> Any:
        if type(value) is not cls:
            if dataclasses.is_dataclass(value) or is_record(type(value)):
                return same(value)
            raise Misfit(value, cls.__name__)
        if not plan:
            plan.append(record_plan(cls, conv))
        fields, build = plan[0]
        if build is None:
            check_fields(value, fields)
            return same(value)
        return build(value)

    return record


def record_plan(cls: type, conv: Optional[_Fn]) -> Tuple[List[_Field], Optional[_Fn]]:
    """`cls`'s fields, and what builds its graft instance from them (None: check, then `conv`)."""
    if not dataclasses.is_dataclass(cls):
        names = list(getattr(cls, "_fields", None) or getattr(cls, "model_fields", {}))
        return fields_of(cls, conv, names), None
    declared = dataclasses.fields(cls)
    fields = fields_of(cls, conv, [f.name for f in declared])
    graft = getattr(conv, "target", lambda _: None)(cls)
    if graft is None or hasattr(graft, "model_validate"):
        return fields, None
    later = {f.name for f in declared if not f.init}

    def build(value: Any) -> Any:
        init: Dict[str, Any] = {}
        after: Dict[str, Any] = {}
        for name, fast, field in fields:
            x = getattr(value, name)
            if type(x) not in fast:
                try:
                    x = field(x)
                except Misfit as misfit:
                    raise misfit.inside(".%s" % name) from None
            (after if name in later else init)[name] = x
        obj = graft(**init)
        for name, x in after.items():
            object.__setattr__(obj, name, x)
        return obj

    return fields, build


def records(cls: type, conv: Optional[_Fn]) -> Optional[Callable[[List[Any]], List[Any]]]:
    """For a list of exactly `cls` instances: built by columns, each column's
    types looked at once (to check it and to see whether it needs converting),
    when the graft class takes the same fields by position; else None."""
    if conv is None:
        return None
    graft = getattr(conv, "target", lambda _: None)(cls)
    declared = dataclasses.fields(cls)
    names = tuple(f.name for f in declared)
    if graft is None or not names or not all(f.init for f in declared) or _parameters(graft) != names:
        return None
    fields = fields_of(cls, conv, names)
    read = _columns_reader(names)

    def records(items: List[Any]) -> List[Any]:
        with _collector_paused(len(items)):
            columns = []
            for (name, fast, field), column in zip(fields, read(items)):
                if not fast.issuperset(map(type, column)):
                    try:
                        column = _each(column, field)
                    except Misfit as misfit:
                        index, _, rest = misfit.path.partition("]")
                        misfit.path = rest
                        raise misfit.inside(".%s" % name).inside(index + "]") from None
                columns.append(column)
            return list(map(graft, *columns))

    return records
