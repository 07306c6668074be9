"""The services of the hosted modules, described in the form of Graft's
interface model: a module's functions as one service, each class with public
methods as another, with their signatures (`Model`).

Loaded by the gateway as the module `_graft_services`, after `types.py` and
before `discover.py`, which imports each module and hands it to a `Model`.
The JSON shapes here must match the serde shapes in
`crates/graft-model/src/interface.rs`.
"""

import inspect
import logging
import typing

from _graft_types import (
    NOT_A_STREAM, DiscoveryError, Types, default, doc, is_data_class, is_pydantic_model, stream_item,
)

log = logging.getLogger("graft.discover")


def _public(name):
    return not name.startswith("_")


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


class _Types(Types):
    """Types, where a hosted class with instance methods is a remote object's type."""

    def __init__(self):
        super().__init__()
        self.objects = {}  # class -> service name, for classes whose objects live on the gateway

    def type_ref(self, hint):
        if inspect.isclass(hint) and hint in self.objects:
            return {"kind": "object", "service": self.objects[hint]}
        return super().type_ref(hint)


# Instance methods that release an object rather than being called on it.
_RELEASERS = ("close", "aclose")


class Model:
    """The services and named types found so far, and the callables behind them."""

    def __init__(self, hosted):
        self.services = []
        self.callables = {}  # service name -> {method name: callable}; "__init__": the class
        self.types = _Types()
        self._owners = {}  # service name -> file, to report clashes
        self._hosted = hosted  # the names of the hosted modules and packages
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
                    self.types.named(obj)
                    exceptions.append(obj.__name__)
                elif is_pydantic_model(obj):
                    log.info("%s.%s is a pydantic model, a data type: it is not exposed as a service", module.__name__, name)
                elif not is_data_class(obj):
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

    def find_object_classes(self, module):
        """Notes the published classes with instance methods, before any
        signature is described: a method may return one defined later."""
        for _, obj in _exports(module):
            if inspect.isclass(obj) and not is_data_class(obj) and not is_pydantic_model(obj):
                if any(kind == "instance" for _, _, kind in self.class_methods(obj)):
                    self.types.objects[obj] = obj.__name__

    def class_methods(self, cls):
        """(name, callable, kind) of a class's public static, class and instance methods."""
        methods = []
        for name in _own_names(cls, self.hosts):
            if not _public(name):
                continue
            attr = inspect.getattr_static(cls, name)
            if isinstance(attr, staticmethod):
                methods.append((name, getattr(cls, name), "static"))
            elif isinstance(attr, classmethod):
                methods.append((name, getattr(cls, name), "class"))
            elif _is_function(attr) and name not in _RELEASERS:
                methods.append((name, attr, "instance"))
        return methods

    def add_class(self, cls, module, file):
        if self._class_services.get(cls.__name__) is cls:
            return  # published by another hosted module too (`__all__`): one service
        methods = self.class_methods(cls)
        if not methods:
            log.info("%s.%s has no public methods; it is not exposed", module.__name__, cls.__name__)
            return
        self.add_service(cls.__name__, "class", module, file, methods, doc(cls))
        self._class_services[cls.__name__] = cls
        if cls in self.types.objects:
            self.services[-1]["constructor"] = self.constructor(cls)
            self.callables[cls.__name__]["__init__"] = cls

    def constructor(self, cls):
        """The parameters of a class's `__init__`, without `self`."""
        init = cls.__init__
        if init is object.__init__ or not _is_function(init):
            return []
        return self.method("__init__", init, "instance")["params"]

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
        hints = self.types.hints(target)
        params = []
        described = list(signature.parameters.values())
        if kind == "instance":
            described = described[1:]  # self
        for param in described:
            params.append(
                {
                    "name": param.name,
                    "kind": param.kind.name.lower(),
                    "type": self.types.signature_ref("parameter `%s`" % param.name, hints.get(param.name, typing.Any)),
                    "default": default(param.default),
                }
            )
        returns = hints.get("return", typing.Any)
        item = stream_item(returns)
        return {
            "name": name,
            "kind": kind,
            "is_async": inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target),
            "doc": inspect.getdoc(target),
            "params": params,
            "returns": self.types.signature_ref("the return", returns if item is NOT_A_STREAM else item),
            "streams": item is not NOT_A_STREAM,
            "unavailable": self.types.unavailable(),  # after every type_ref above
            "idempotent": _idempotent(func),
        }


def _idempotent(func):
    """Whether the author declared the method idempotent (`@graft_context.idempotent`),
    on the function or on the static or class method wrapping it."""
    return any(getattr(f, "__graft_idempotent__", False) is True for f in (func, inspect.unwrap(func), getattr(func, "__func__", None)))


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
