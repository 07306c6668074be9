"""Discovery of hosted modules, run inside the gateway's embedded CPython.

`discover(paths)` imports every module named by the gateway's `--modules`
option and describes its public services in the form of Graft's interface
model. A module publishes what its `__all__` names (re-exported names
included), or else the public names it defines; a package is one module, its
`__init__`, not one per submodule. Annotations resolve as a type checker
resolves them (names imported under `if TYPE_CHECKING:` too). The interface is
in the form of Graft's interface model (`graft_model::Interface`, serialised as JSON). It also hands back the
callables and the named types, so the Rust host can invoke methods and
rebuild dataclasses and enum members without looking anything up again.

The JSON shapes here must match the serde shapes in
`crates/graft-model/src/interface.rs`.
"""

import __future__
import ast
import collections.abc
import dataclasses
import datetime
import enum
import importlib
import inspect
import logging
import math
import os
import sys
import tokenize
import traceback
import types
import typing

log = logging.getLogger("graft.discover")


class ImportFailure(Exception):
    """A hosted module could not be imported: carries the file and the error."""

    def __init__(self, file, error):
        super().__init__(file, error)
        self.file = file
        self.error = error


class DiscoveryError(Exception):
    """The hosted modules cannot be exposed as they are (say, two services share a name)."""


def discover(paths):
    """Imports the modules at `paths`; returns (interface JSON text, callables, types)."""
    modules = []
    for path in paths:
        modules.extend(_load(os.path.abspath(path)))
    model = _Model([module.__name__ for module, _ in modules])
    for module, file in modules:
        model.add_module(module, file)
    interface = {
        "project": _project(paths),
        "services": model.services,
        "types": list(model.type_defs.values()),
    }
    import json

    return json.dumps(interface), model.callables, model.classes


# ---------------------------------------------------------------- loading


def _load(path):
    """Imports what one `--modules` entry names: a .py file, a package or a folder
    (its modules and packages). A package is its `__init__`: what it publishes."""
    if os.path.isfile(path):
        folder, name = os.path.split(path)
        return [_import(os.path.splitext(name)[0], folder, path)]
    if os.path.isfile(os.path.join(path, "__init__.py")):
        parent, name = os.path.split(path.rstrip(os.sep))
        return [_import(name, parent, os.path.join(path, "__init__.py"))]
    found = []
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        if entry.startswith((".", "_")):
            continue
        if entry.endswith(".py") and os.path.isfile(full):
            found.append(_import(entry[:-3], path, full))
        elif os.path.isfile(os.path.join(full, "__init__.py")):
            found.append(_import(entry, path, os.path.join(full, "__init__.py")))
    return found


def _import(name, folder, file):
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        return importlib.import_module(name), file
    except BaseException as exc:  # noqa: BLE001 - any failure stops start-up with its cause
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        raise ImportFailure(file, detail.rstrip()) from None


def _project(paths):
    """The name and version in the nearest pyproject.toml at or above the first module."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return None
    folder = os.path.abspath(paths[0]) if paths else os.getcwd()
    if os.path.isfile(folder):
        folder = os.path.dirname(folder)
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            with open(candidate, "rb") as f:
                project = tomllib.load(f).get("project", {})
            if "name" in project:
                return {"name": str(project["name"]), "version": str(project.get("version", "0.1.0"))}
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# ---------------------------------------------------------------- the model


def _public(name):
    return not name.startswith("_")


def _is_data_class(cls):
    return dataclasses.is_dataclass(cls) or issubclass(cls, (enum.Enum, BaseException))


def _is_pydantic_model(cls):
    """A pydantic `BaseModel` subclass, told by its bases' modules (pydantic is not imported here)."""
    return any(
        base.__name__ == "BaseModel" and (base.__module__ or "").split(".")[0] == "pydantic" for base in cls.__mro__
    )


def _exports(module):
    """The (name, value) pairs a module publishes: the names in its `__all__`,
    re-exported ones included; without one, the public names it defines."""
    listed = getattr(module, "__all__", None)
    if listed is None:
        return [(n, v) for n, v in vars(module).items() if getattr(v, "__module__", None) == module.__name__ and _public(n)]
    found = []
    for name in listed:
        if not _public(name):
            continue
        if not hasattr(module, name):
            log.warning("%s.__all__ names %r, which the module does not have; it is skipped", module.__name__, name)
            continue
        found.append((name, getattr(module, name)))
    return found


def _is_function(obj):
    """A Python function, or a decorator's wrapper of one (`functools.wraps`)."""
    try:
        return inspect.isfunction(inspect.unwrap(obj))
    except ValueError:  # a cycle of __wrapped__
        return False


class _Model:
    def __init__(self, hosted):
        self.services = []
        self.callables = {}  # service name -> {method name: callable}
        self.classes = {}  # type name -> class
        self.type_defs = {}  # type name -> TypeDef JSON
        self._owners = {}  # service name -> file, to report clashes
        self._hosted = hosted  # the names of the hosted modules and packages
        self._namespaces = {}  # module name -> its globals as a type checker sees them
        self._class_services = {}  # service name -> class, so a class published twice is one service

    def hosts(self, module_name):
        """Whether a module is hosted: one named by `--modules`, or a submodule of a hosted package."""
        return any(module_name == h or module_name.startswith(h + ".") for h in self._hosted)

    def add_module(self, module, file):
        functions = []
        exceptions = []
        for name, obj in _exports(module):
            if inspect.isclass(obj):
                if issubclass(obj, BaseException):
                    self.named(obj)
                    exceptions.append(obj.__name__)
                elif _is_pydantic_model(obj):
                    log.info("%s.%s is a pydantic model, a data type: it is not exposed as a service", module.__name__, name)
                elif not _is_data_class(obj):
                    self.add_class(obj, module, file)
            elif _is_function(obj):
                functions.append((name, obj, "function"))
            elif callable(obj):
                log.info("%s.%s is not a function or a class; it is not exposed", module.__name__, name)
        if functions:
            self.add_service(module.__name__, "module", module, file, functions, inspect.getdoc(module))
        for service in self.services:
            if service["module"] == module.__name__:
                service["exceptions"] = exceptions

    def add_class(self, cls, module, file):
        if self._class_services.get(cls.__name__) is cls:
            return  # published by another hosted module too (`__all__`): one service
        methods = []
        for name in _own_names(cls, self.hosts):
            if not _public(name):
                continue
            attr = inspect.getattr_static(cls, name)
            if isinstance(attr, staticmethod):
                methods.append((name, getattr(cls, name), "static"))
            elif isinstance(attr, classmethod):
                methods.append((name, getattr(cls, name), "class"))
        if not methods:
            log.info("%s.%s has no static or class methods; it is not exposed", module.__name__, cls.__name__)
            return
        self.add_service(cls.__name__, "class", module, file, methods, _doc(cls))
        self._class_services[cls.__name__] = cls

    def add_service(self, name, kind, module, file, methods, doc):
        if name in self._owners:
            raise DiscoveryError(
                "two services are named %r: one in %s, one in %s; rename one of them"
                % (name, self._owners[name], file)
            )
        self._owners[name] = file
        described = [self.method(mname, func, mkind) for mname, func, mkind in methods]
        self.callables[name] = {mname: func for mname, func, _ in methods}
        self.services.append(
            {
                "name": name,
                "kind": kind,
                "module": module.__name__,
                "file": file,
                "doc": doc,
                "methods": described,
                "exceptions": [],
            }
        )

    def method(self, name, func, kind):
        target = inspect.unwrap(func)
        signature = inspect.signature(func)
        hints = self.hints(target)
        params = []
        for param in signature.parameters.values():
            params.append(
                {
                    "name": param.name,
                    "kind": param.kind.name.lower(),
                    "type": self.type_ref(hints.get(param.name, typing.Any)),
                    "default": _default(param.default),
                }
            )
        returns = hints.get("return", typing.Any)
        item = _stream_item(returns)
        return {
            "name": name,
            "kind": kind,
            "is_async": inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target),
            "doc": inspect.getdoc(target),
            "params": params,
            "returns": self.type_ref(returns if item is _NOT_A_STREAM else item),
            "streams": item is not _NOT_A_STREAM,
        }

    # ------------------------------------------------------------ types

    def type_ref(self, hint):
        while type(hint).__name__ == "TypeAliasType":  # `type X = ...` (Python 3.12+)
            hint = hint.__value__
        if hint is None or hint is type(None):
            return {"kind": "none"}
        if hint is typing.Any or hint is object:
            return {"kind": "any"}
        simple = _SIMPLE.get(hint)
        if simple:
            return {"kind": simple}
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
            return self.union(args)
        if origin is not None:
            return self.generic(hint, origin, args)
        if inspect.isclass(hint):
            container = _CONTAINERS.get(hint)
            if container:
                return self.generic(hint, hint, ())
            if _is_data_class(hint):
                return self.named(hint)
        log.warning("type %r has no Graft form; it is treated as Any", hint)
        return {"kind": "any"}

    def union(self, args):
        options = [self.type_ref(a) for a in args if a is not type(None)]
        inner = options[0] if len(options) == 1 else {"kind": "union", "options": options}
        if len(options) < len(args):
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
        if origin is typing.Literal:
            log.warning("Literal %r is treated as Any", hint)
        else:
            log.warning("type %r has no Graft form; it is treated as Any", hint)
        return {"kind": "any"}

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
            self.type_defs[name] = self.describe(cls)
        return {"kind": "named", "name": name}

    def describe(self, cls):
        base = {"name": cls.__name__, "module": cls.__module__, "doc": _doc(cls)}
        if issubclass(cls, enum.Enum):
            members = [{"name": m.name, "value": _jsonable(m.value)} for m in cls]
            return dict(base, kind="enum", members=members)
        if issubclass(cls, BaseException):
            parent = next((b for b in cls.__mro__[1:] if issubclass(b, BaseException)), Exception)
            return dict(base, kind="exception", base=parent.__name__, fields=self.init_fields(cls))
        hints = self.hints(cls)
        fields = [
            {"name": f.name, "type": self.type_ref(hints.get(f.name, typing.Any)), "default": _field_default(f)}
            for f in dataclasses.fields(cls)
        ]
        return dict(base, kind="dataclass", fields=fields)

    def init_fields(self, cls):
        """An exception's fields are its `__init__` parameters (but *args and **kwargs)."""
        if cls.__init__ is BaseException.__init__ or not inspect.isfunction(cls.__init__):
            return []
        hints = self.hints(cls.__init__)
        fields = []
        for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            fields.append({"name": p.name, "type": self.type_ref(hints.get(p.name, typing.Any)), "default": _default(p.default)})
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
_NOT_A_STREAM = object()


def _stream_item(hint):
    """The item type of a streaming return annotation (`Iterator[T]`,
    `AsyncGenerator[T, None]`, ..., from `typing` or `collections.abc`), or
    _NOT_A_STREAM."""
    origin = typing.get_origin(hint) or hint
    if origin not in _STREAMS:
        return _NOT_A_STREAM
    args = typing.get_args(hint)
    return args[0] if args else typing.Any


def _own_names(cls, hosts):
    """Attribute names of a class and of its bases in hosted modules, in
    definition order: not those it inherits from library classes (pydantic,
    abc, typing.Generic, `object`)."""
    seen = {}
    for klass in reversed(cls.__mro__):
        if klass is cls or hosts(klass.__module__):
            for name in vars(klass):
                seen[name] = None
    return list(seen)


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


def _doc(cls):
    """The class's own docstring: not one inherited from Enum, Exception or a base."""
    doc = cls.__dict__.get("__doc__")
    doc = inspect.cleandoc(doc) if isinstance(doc, str) else None
    # dataclasses invent a docstring from the signature: not documentation
    if doc and dataclasses.is_dataclass(cls) and doc.startswith(cls.__name__ + "("):
        return None
    return doc




def _default(value):
    if value is inspect.Parameter.empty:
        return None
    return {"json": _jsonable(value), "python": _expr(value)}


def _field_default(field):
    if field.default is not dataclasses.MISSING:
        return _default(field.default)
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
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return None


def _expr(value):
    """A Python expression that rebuilds `value` in generated code, or None."""
    if isinstance(value, enum.Enum):
        return "%s.%s" % (type(value).__name__, value.name)
    if value is None or type(value) in (bool, int, str, bytes):
        return repr(value)
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


# ---------------------------------------------------------------- set-up


def prepare(argv0):
    """Readies the interpreter before any hosted module is imported.

    `PYTHONPATH` is honoured by CPython itself; an active virtualenv
    (`VIRTUAL_ENV`) is not, when the interpreter is embedded, so its
    site-packages go to the front of `sys.path` here. Graft's own log records
    go to stderr; the hosted modules' logging is left for them to set up.
    """
    sys.argv = [argv0]
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        import site

        version = "python%d.%d" % sys.version_info[:2]
        packages = os.path.join(venv, "lib", version, "site-packages")
        if os.path.isdir(packages) and packages not in sys.path:
            before = list(sys.path)
            site.addsitedir(packages)
            added = [p for p in sys.path if p not in before]
            sys.path[:] = added + before
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    graft_log = logging.getLogger("graft")
    graft_log.addHandler(handler)
    graft_log.setLevel(logging.INFO)
    graft_log.propagate = False
