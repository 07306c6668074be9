"""Types, as discovery describes them: annotations resolved as a type checker
resolves them, and each type put in the form of Graft's interface model
(`TypeRef` and `TypeDef` in `crates/graft-model/src/interface.rs`).

Loaded by the gateway as the module `_graft_types`, before `discover.py`.
"""

import __future__
import ast
import collections.abc
import dataclasses
import datetime
import decimal
import enum
import inspect
import logging
import math
import sys
import tokenize
import types
import typing
import uuid

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
        self._missing.append("type `%s` has no Graft form" % _hint_text(hint))
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
            return dict(base, **_enum(cls))
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
        fields = [field(f.name, _field_default(f)) for f in dataclasses.fields(cls)]
        frozen = {"frozen": True} if cls.__dataclass_params__.frozen else {}
        return dict(base, kind="dataclass", fields=fields, **frozen)

    def model_fields(self, cls):
        """A pydantic model's fields by attribute name, with their aliases (pydantic resolved the annotations)."""
        fields = []
        properties = model_properties(cls)
        for name, info in cls.model_fields.items():
            field = {"name": name, "type": self.type_ref(info.annotation), "default": _model_default(info)}
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
            return self.resolve(_raw_annotations(obj), getattr(obj, "__module__", None), {}, obj)
        hints = {}
        for klass in reversed(obj.__mro__):
            hints.update(self.resolve(_raw_annotations(klass), klass.__module__, dict(vars(klass)), klass))
        return hints

    def resolve(self, annotations, module_name, localns, owner):
        if not annotations:
            return {}
        globalns = self.namespace(module_name)
        try:
            return _evaluate(annotations, globalns, localns)
        except Exception:  # noqa: BLE001 - then one by one: one bad annotation must not hide the others
            pass
        hints = {}
        for name, annotation in annotations.items():
            try:
                hints.update(_evaluate({name: annotation}, globalns, localns))
            except Exception as exc:  # noqa: BLE001
                where = "%s.%s" % (owner.__module__, owner.__qualname__)
                log.warning("the annotation of %r in %s cannot be resolved (%s); it is treated as Any", name, where, exc)
        return hints

    def namespace(self, module_name):
        """A module's globals as a type checker sees them (cached)."""
        if module_name not in self._namespaces:
            module = sys.modules.get(module_name)
            self._namespaces[module_name] = _checking_namespace(module) if module else {}
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


def _raw_annotations(obj):
    """An object's own annotations, unevaluated (strings stay strings)."""
    try:
        import annotationlib  # Python 3.14+: annotations are evaluated lazily
    except ImportError:
        own = obj.__dict__.get("__annotations__") if inspect.isclass(obj) else getattr(obj, "__annotations__", None)
        return dict(own or {})
    return dict(annotationlib.get_annotations(obj, format=annotationlib.Format.FORWARDREF))


def _evaluate(annotations, globalns, localns):
    """`typing.get_type_hints` of these annotations (a class holds them: ClassVar is allowed)."""
    holder = type("_Annotations", (), {"__annotations__": annotations})
    return typing.get_type_hints(holder, globalns=globalns, localns=localns)


def _checking_namespace(module):
    """A module's globals with what it imports or defines under `if TYPE_CHECKING:`
    (a block Python skips and a type checker reads), run here in a copy."""
    namespace = dict(vars(module))
    namespace["__annotations__"] = dict(namespace.get("__annotations__") or {})
    file = getattr(module, "__file__", None) or ""
    flags = __future__.annotations.compiler_flag
    for statement in _checking_statements(file):
        code = compile(ast.Module(body=[statement], type_ignores=[]), file, "exec", flags=flags, dont_inherit=True)
        try:
            exec(code, namespace)
        except Exception as exc:  # noqa: BLE001 - the names it defines stay unresolved, and say so when used
            log.warning("%s, line %d (under TYPE_CHECKING) fails here: %s", file, statement.lineno, exc)
    return namespace


def _checking_statements(file):
    """The statements of a module's top-level `if TYPE_CHECKING:` blocks
    (`typing.TYPE_CHECKING`, or a `TYPE_CHECKING = False` of its own)."""
    if not file.endswith(".py"):
        return []
    try:
        with tokenize.open(file) as f:
            tree = ast.parse(f.read(), file)
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        test = node.test if isinstance(node, ast.If) else None
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            found.extend(node.body)
    return found


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
    return {"json": _jsonable(value), "python": _expr(value)}


def _enum(cls):
    """An enum's members, and whether it is a Flag, an int or a str enum."""
    members = [{"name": m.name, "value": _jsonable(m.value)} for m in cls]
    found = {"kind": "enum", "members": members}
    if issubclass(cls, enum.Flag):
        found["flag"] = True
    mixin = "int" if issubclass(cls, int) else "str" if issubclass(cls, str) else None
    if mixin:
        found["mixin"] = mixin
    return found


def _model_default(info):
    """A pydantic field's default, as `_field_default` gives a dataclass field's."""
    if info.is_required():
        return None
    factory = info.default_factory
    if factory is None:
        return default(info.default)
    if factory in (list, dict, set):
        return {"json": _jsonable(factory()), "python": "field(default_factory=%s)" % factory.__name__}
    return {"json": None, "python": None}


def _field_default(field):
    if field.default is not dataclasses.MISSING:
        return default(field.default)
    if field.default_factory is not dataclasses.MISSING:
        factory = field.default_factory
        if factory in (list, dict, set):
            return {"json": _jsonable(factory()), "python": "field(default_factory=%s)" % factory.__name__}
        return {"json": None, "python": None}
    return None


def _jsonable(value):
    """The JSON form of a default or enum value, or None when there is none."""
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return None


def _hint_text(hint):
    """An annotation as a person would write it: `module.Class`, else its repr."""
    if inspect.isclass(hint):
        return hint.__qualname__ if hint.__module__ == "builtins" else "%s.%s" % (hint.__module__, hint.__qualname__)
    return repr(hint).replace("typing.", "")


def _expr(value):
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
        parts = [_expr(v) for v in value]
        if None in parts:
            return None
        if type(value) is frozenset:
            return "frozenset({%s})" % ", ".join(parts) if parts else "frozenset()"
        return "(%s)" % (", ".join(parts) + ("," if len(parts) == 1 else ""))
    return None  # mutable or opaque defaults cannot be written as source
