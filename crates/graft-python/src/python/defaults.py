"""Values in discovery's interface (`types.py`): a class's own docstring,
defaults and enum members as JSON and as Python source for generated code.

Loaded by the gateway as the module `_graft_defaults`, before `types.py`.
"""

import dataclasses
import datetime
import decimal
import enum
import inspect
import math
import uuid

from _graft_records import is_named_tuple


def doc(cls):
    """The class's own docstring: not one inherited from Enum, Exception or a base."""
    doc = cls.__dict__.get("__doc__")
    doc = inspect.cleandoc(doc) if isinstance(doc, str) else None
    # dataclasses invent a docstring from the signature: not documentation
    if doc and (dataclasses.is_dataclass(cls) or is_named_tuple(cls)) and doc.startswith(cls.__name__ + "("):
        return None
    return doc


def default(value):
    if value is inspect.Parameter.empty:
        return None
    return {"json": jsonable(value), "python": expr(value)}


def enum_def(cls):
    """An enum's members, and whether it is a Flag, an int or a str enum."""
    members = [{"name": m.name, "value": jsonable(m.value)} for m in cls]
    found = {"kind": "enum", "members": members}
    if issubclass(cls, enum.Flag):
        found["flag"] = True
    mixin = "int" if issubclass(cls, int) else "str" if issubclass(cls, str) else None
    if mixin:
        found["mixin"] = mixin
    return found


def model_default(info):
    """A pydantic field's default, as `_field_default` gives a dataclass field's."""
    if info.is_required():
        return None
    factory = info.default_factory
    if factory is None:
        return default(info.default)
    if factory in (list, dict, set):
        return {"json": jsonable(factory()), "python": "field(default_factory=%s)" % factory.__name__}
    return {"json": None, "python": None}


def field_default(field):
    if field.default is not dataclasses.MISSING:
        return default(field.default)
    if field.default_factory is not dataclasses.MISSING:
        factory = field.default_factory
        if factory in (list, dict, set):
            return {"json": jsonable(factory()), "python": "field(default_factory=%s)" % factory.__name__}
        return {"json": None, "python": None}
    return None


def jsonable(value):
    """The JSON form of a default or enum value, or None when there is none."""
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return None


def expr(value):
    """A Python expression that rebuilds `value` in generated code, or None."""
    if isinstance(value, enum.Enum):
        names = (value.name or "").split("|")  # a Flag's combination: READ|WRITE
        return " | ".join("%s.%s" % (type(value).__name__, n) for n in names) if all(names) else None
    if value is None or type(value) in (bool, int, str, bytes):
        return repr(value)
    if type(value) is datetime.timedelta or (type(value) is datetime.time and value.tzinfo is None):
        return repr(value)  # datetime.timedelta(days=1), datetime.time(12, 30)
    if type(value) is float:
        return repr(value) if math.isfinite(value) else "float(%r)" % repr(value)
    if type(value) in (tuple, frozenset):
        parts = [expr(v) for v in value]
        if None in parts:
            return None
        if type(value) is frozenset:
            return "frozenset({%s})" % ", ".join(parts) if parts else "frozenset()"
        return "(%s)" % (", ".join(parts) + ("," if len(parts) == 1 else ""))
    return None  # mutable or opaque defaults cannot be written as source
