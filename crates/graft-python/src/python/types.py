"""Types, as discovery describes them: annotations resolved as a type checker
resolves them, and each type put in the form of Graft's interface model
(`TypeRef` and `TypeDef` in `crates/graft-model/src/interface.rs`).

Loaded by the gateway as the module `_graft_types`, before `discover.py`.
"""

import collections.abc
import dataclasses
import datetime
import decimal
import enum
import inspect
import logging
import sys
import types
import typing
import uuid

from _graft_hints import checking_namespace, evaluate, hint_text, raw_annotations
from _graft_defaults import default, doc, enum_def, field_default, model_default
from _graft_records import (
    CONSTRAINTS, is_named_tuple, is_pydantic_model, is_typed_dict, model_properties, required_keys,
)

log = logging.getLogger("graft.discover")


class DiscoveryError(Exception):
    """The hosted modules cannot be exposed as they are (say, two services share a name)."""


def is_data_class(cls):
    """A class that is data, not a service: a dataclass, an enum, an exception,
    a pydantic model, a NamedTuple or a TypedDict."""
    return (
        dataclasses.is_dataclass(cls)
        or issubclass(cls, (enum.Enum, BaseException))
        or is_pydantic_model(cls)
        or is_named_tuple(cls)
        or is_typed_dict(cls)
    )


class Types:
    """The named types found so far, and the resolution of annotations."""

    def __init__(self):
        self.classes = {}  # type name -> class
        self.type_defs = {}  # type name -> TypeDef JSON
        self._namespaces = {}  # module name -> its globals as a type checker sees them
        self._missing = []  # what has no Graft form in the annotation being described
        self._named_missing = {}  # type name -> what has no Graft form in its fields
        self._reasons = []  # why the method being described cannot be called

    def type_ref(self, hint):
        while type(hint).__name__ == "TypeAliasType":  # `type X = ...` (Python 3.12+)
            hint = hint.__value__
        if hint is None or hint is type(None):
            return {"kind": "none"}
        if hint is typing.Any or hint is object:
            return {"kind": "any"}
        if isinstance(hint, typing.TypeVar):  # as a type checker reads it: its bound, its constraints, or any
            if hint.__bound__ is not None:
                return self.type_ref(hint.__bound__)
            return self.union(hint.__constraints__) if hint.__constraints__ else {"kind": "any"}
        if hasattr(hint, "__supertype__"):  # a NewType is its type
            return self.type_ref(hint.__supertype__)
        simple = _SIMPLE.get(hint)
        if simple:
            return {"kind": simple}
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
            return self.union(args)
        if origin is typing.Annotated:
            return self.type_ref(args[0])
        if origin is not None:
            return self.generic(hint, origin, args)
        if inspect.isclass(hint):
            container = _CONTAINERS.get(hint)
            if container:
                return self.generic(hint, hint, ())
            if is_data_class(hint):
                return self.named(hint)
        return self.no_form(hint)

    def no_form(self, hint):
        """A type Graft cannot carry: noted, so the method that uses it is unavailable."""
        self._missing.append("type `%s` has no Graft form" % hint_text(hint))
        return {"kind": "any"}

    def signature_ref(self, what, hint):
        """`type_ref` of a parameter's or a return's annotation (`what` names it):
        a type in it that Graft cannot carry makes the method unavailable."""
        self._missing = []
        ref = self.type_ref(hint)
        if self._missing:
            self._reasons.append("%s: %s" % (what, self._missing[0]))
        return ref

    def unavailable(self):
        """Why the method just described cannot be called, or None; then forgotten."""
        reasons, self._reasons = self._reasons, []
        return "; ".join(reasons) or None

    def union(self, args):
        """`Union[...]`; an option Graft cannot carry (`str | Callable[...]`) is
        left out while another remains: what crosses is one of the others."""
        options, dropped = [], []
        for arg in (a for a in args if a is not type(None)):
            outer, self._missing = self._missing, []
            ref = self.type_ref(arg)
            missing, self._missing = self._missing, outer
            if missing:
                dropped.extend(missing)
            else:
                options.append(ref)
        if not options:
            self._missing.extend(dropped)
            return {"kind": "any"}
        inner = options[0] if len(options) == 1 else {"kind": "union", "options": options}
        if any(a is type(None) for a in args):
            return {"kind": "optional", "inner": inner}
        return inner

    def generic(self, hint, origin, args):
        kind = _CONTAINERS.get(origin)
        item = lambda i: self.type_ref(args[i]) if len(args) > i else {"kind": "any"}  # noqa: E731
        if kind in ("list", "set"):
            return {"kind": kind, "item": item(0)}
        if kind == "dict":
            return {"kind": "dict", "key": item(0), "value": item(1)}
        if kind == "tuple":
            if not args or (len(args) == 2 and args[1] is Ellipsis):
                return {"kind": "var_tuple", "item": item(0)}
            if args == ((),):
                return {"kind": "tuple", "items": []}
            return {"kind": "tuple", "items": [self.type_ref(a) for a in args]}
        if origin is typing.Literal and all(type(a) in (str, int, bool, type(None)) for a in args):
            return {"kind": "literal", "values": list(args)}
        return self.no_form(hint)  # a Literal of other values (enum members, bytes) too

    def named(self, cls):
        name = cls.__name__
        known = self.classes.get(name)
        if known is not None and known is not cls:
            raise DiscoveryError(
                "two types are named %r: %s.%s and %s.%s; rename one of them"
                % (name, known.__module__, name, cls.__module__, name)
            )
        if known is None:
            self.classes[name] = cls
            self.type_defs[name] = None  # placeholder: recursive types refer back here
            outer, self._missing = self._missing, []
            self.type_defs[name] = self.describe(cls)
            self._named_missing[name] = ["%s (in `%s`)" % (m, name) for m in self._missing]
            self._missing = outer
        self._missing.extend(self._named_missing.get(name, ()))
        return {"kind": "named", "name": name}

    def describe(self, cls):
        base = {"name": cls.__name__, "module": cls.__module__, "doc": doc(cls)}
        if issubclass(cls, enum.Enum):
            return dict(base, **enum_def(cls))
        if issubclass(cls, BaseException):
            parent = next((b for b in cls.__mro__[1:] if issubclass(b, BaseException)), Exception)
            return dict(base, kind="exception", base=parent.__name__, fields=self.init_fields(cls))
        if is_pydantic_model(cls):
            frozen = {"frozen": True} if cls.model_config.get("frozen") else {}
            return dict(base, kind="dataclass", model=True, fields=self.model_fields(cls), **frozen)
        hints = self.hints(cls)
        field = lambda name, default: {"name": name, "type": self.type_ref(hints.get(name, typing.Any)), "default": default}  # noqa: E731
        if is_named_tuple(cls):
            defaults = cls._field_defaults
            fields = [field(n, default(defaults[n]) if n in defaults else None) for n in cls._fields]
            return dict(base, kind="named_tuple", fields=fields)
        if is_typed_dict(cls):
            optional = {"json": None, "python": None}  # NotRequired: the key may be left out
            fields = [field(n, None if n in required_keys(cls) else optional) for n in hints]
            return dict(base, kind="typed_dict", fields=fields)
        fields = [field(f.name, field_default(f)) for f in dataclasses.fields(cls)]
        frozen = {"frozen": True} if cls.__dataclass_params__.frozen else {}
        return dict(base, kind="dataclass", fields=fields, **frozen)

    def model_fields(self, cls):
        """A pydantic model's fields by attribute name, with their aliases (pydantic resolved the annotations)."""
        fields = []
        properties = model_properties(cls)
        for name, info in cls.model_fields.items():
            field = {"name": name, "type": self.type_ref(info.annotation), "default": model_default(info)}
            if info.alias and info.alias != name:
                field["alias"] = info.alias
            keywords = {k: v for k, v in properties.get(name, {}).items() if k in CONSTRAINTS}
            if keywords:
                field["constraints"] = keywords
            fields.append(field)
        return fields

    def init_fields(self, cls):
        """An exception's fields are its `__init__` parameters (but *args and **kwargs)."""
        if cls.__init__ is BaseException.__init__ or not inspect.isfunction(cls.__init__):
            return []
        hints = self.hints(cls.__init__)
        fields = []
        for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            fields.append({"name": p.name, "type": self.type_ref(hints.get(p.name, typing.Any)), "default": default(p.default)})
        return fields

    # ------------------------------------------------------------ annotations

    def hints(self, obj):
        """The annotations of a function or class (with its bases'), resolved
        as a type checker resolves them; one that cannot be is left out (Any)."""
        if not inspect.isclass(obj):
            return self.resolve(raw_annotations(obj), getattr(obj, "__module__", None), {}, obj)
        hints = {}
        for klass in reversed(obj.__mro__):
            hints.update(self.resolve(raw_annotations(klass), klass.__module__, dict(vars(klass)), klass))
        return hints

    def resolve(self, annotations, module_name, localns, owner):
        if not annotations:
            return {}
        globalns = self.namespace(module_name)
        try:
            return evaluate(annotations, globalns, localns)
        except Exception:  # noqa: BLE001 - then one by one: one bad annotation must not hide the others
            pass
        hints = {}
        for name, annotation in annotations.items():
            try:
                hints.update(evaluate({name: annotation}, globalns, localns))
            except Exception as exc:  # noqa: BLE001
                where = "%s.%s" % (owner.__module__, owner.__qualname__)
                log.warning("the annotation of %r in %s cannot be resolved (%s); it is treated as Any", name, where, exc)
        return hints

    def namespace(self, module_name):
        """A module's globals as a type checker sees them (cached)."""
        if module_name not in self._namespaces:
            module = sys.modules.get(module_name)
            self._namespaces[module_name] = checking_namespace(module) if module else {}
        return self._namespaces[module_name]


_SIMPLE = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    bytes: "bytes",
    bytearray: "bytes",
    datetime.datetime: "date_time",
    datetime.date: "date",
    datetime.time: "time",
    datetime.timedelta: "time_delta",
    decimal.Decimal: "decimal",
    uuid.UUID: "uuid",
}

_CONTAINERS = {
    list: "list",
    collections.abc.Sequence: "list",
    collections.abc.MutableSequence: "list",
    collections.abc.Iterable: "list",
    set: "set",
    frozenset: "set",
    collections.abc.Set: "set",
    collections.abc.MutableSet: "set",
    tuple: "tuple",
    dict: "dict",
    collections.abc.Mapping: "dict",
    collections.abc.MutableMapping: "dict",
}


# Return annotations that make a streaming method: its items cross one by one.
_STREAMS = (
    collections.abc.Iterator,
    collections.abc.Iterable,
    collections.abc.Generator,
    collections.abc.AsyncIterator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncGenerator,
)
NOT_A_STREAM = object()


def stream_item(hint):
    """The item type of a streaming return annotation (`Iterator[T]`,
    `AsyncGenerator[T, None]`, ..., from `typing` or `collections.abc`), or
    NOT_A_STREAM."""
    origin = typing.get_origin(hint) or hint
    if origin not in _STREAMS:
        return NOT_A_STREAM
    args = typing.get_args(hint)
    return args[0] if args else typing.Any
