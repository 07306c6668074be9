"""In-process calls: the hosted module imported into this interpreter.

The graft's dataclasses and enums are its own classes, not the hosted
module's, so arguments are converted to the hosted module's classes (by
type name, through lists, tuples, sets and dicts) and results back to the
graft's. Arguments are also converted by the hosted annotations as a
gateway converts them (`coerce`: an int for a float, a list for a tuple).
Exceptions come back as a remote call would bring them: the
graft's exception class with the same fields and message, a built-in
exception as itself, anything else as a `RemoteError`.
"""

import asyncio
import importlib
import inspect
import os
import sys
import traceback
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from . import coerce, headers, returns
from .classes import Registry, is_graft_class, rebuild
from .config import Settings
from .convert import Converter
from .literals import check_arguments
from .objects import References, ReleasedObjectError, is_service_class
from .plans import MISS, Plan, method_fast
from .remote import within
from .typed import convert as typed_result
from .values import ObjectRef
from .wire import STATUS_RAISED, Raised, RemoteError


class Local:
    """Calls one graft's service in this process."""

    def __init__(self, registry: Registry, service: str, module: str, kind: str) -> None:
        self.registry = registry
        self.service = service
        self.module = module
        self.kind = kind
        self._hosted: Dict[Tuple[str, str], type] = {}
        # Per method: the target, signature and call shapes under the
        # configuration in force (`plan`); a new configuration makes new ones.
        self.plans: Dict[str, Plan] = {}
        # Conversions worked out per type (convert.py); the graft's side
        # again after classes are registered.
        # Objects of hosted classes the graft has no class for, as references (objects.py).
        self.references = References()
        self._to_hosted = Converter(self._hosted_for, self._hosted_object)
        self._to_graft = Converter(self._graft_for, self._graft_object)
        self._registered = registry.version
        # The signature of each instance method of a hosted class (objects.py), once.
        self._methods: Dict[Tuple[type, str], Optional[inspect.Signature]] = {}
        # Each such method's fast path (plans.method_fast; None: it has none), once.
        self._fast_on: Dict[Tuple[type, str], Optional[Callable[..., Any]]] = {}
        # Each such method's name and return annotation (typed.py), once.
        self._returns: Dict[Tuple[type, str], Optional[Tuple[str, Any]]] = {}

    def plan(self, settings: Settings, method: str) -> Plan:
        """The method's plan under `settings`, made (the target imported) on its first call."""
        plan = self.plans.get(method)
        if plan is None or plan.settings is not settings:
            target = self.target(settings, method)
            plan = self.plans[method] = Plan(settings, target, _signature(target), coerce.hints(target))
            name, hint = "%s.%s" % (self.service, method), plan.hints.get("return")
            plan.returns = None if hint is None else (name, hint)
            check = returns.plain_check(name, hint)
            if check is not None and plan.fast is not None:
                plan.fast = returns.checked_fast(plan.fast, check)
        return plan

    async def call(
        self, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any]
    ) -> Any:
        result = self.invoke(settings, method, args, kwargs, within(settings.timeout))
        return await self.result(result, self.plan(settings, method).returns)

    async def result(self, result: Any, typed: Optional[Tuple[str, Any]] = None) -> Any:
        """A hosted call's result as the graft's classes (awaited if need be),
        checked against `typed` (the method's name and return annotation);
        what it raises mapped as a remote call would map it."""
        try:
            if inspect.isawaitable(result):
                result = await result
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped as a remote call would map it
            raise self.exception(exc).with_traceback(exc.__traceback__) from None
        return self.to_graft(result, typed)

    def invoke(self, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any],
               timeout: Optional[float] = None) -> Any:
        """The hosted method's own result (an awaitable for an `async def`, a
        generator for a streaming one), its arguments converted; what it raises
        is mapped as a remote call would map it. With `timeout`, the hosted
        code's `graft_context.deadline()` is that many seconds from now."""
        plan = self.plan(settings, method)
        check_arguments(plan.signature, args, kwargs, plan.hints)  # Literals inside, as a gateway checks them
        hosted_args: Any = [self.to_hosted(a) for a in args]
        hosted_kwargs = {k: self.to_hosted(v) for k, v in kwargs.items()}
        if plan.signature is not None:
            hosted_args, hosted_kwargs = coerce.bind(plan.signature, plan.hints, hosted_args, hosted_kwargs)
        return self._run(plan.target, hosted_args, hosted_kwargs, timeout)

    def _run(self, target: Callable[..., Any], args: Any, kwargs: Dict[str, Any],
             timeout: Optional[float] = None) -> Any:
        """Calls `target`, the hosted code reading this call's metadata (and,
        with `timeout`, its deadline) as gg's would."""
        try:
            return headers.serving(headers.incoming(), timeout, target, *args, **kwargs)
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped as a remote call would map it
            raise self.exception(exc).with_traceback(exc.__traceback__) from None

    def target(self, settings: Settings, method: str) -> Callable[..., Any]:
        """The hosted callable, importing its module (with `modules` on sys.path)."""
        module = self.hosted_module(settings, self.module, "%s.%s" % (self.service, method))
        owner: Any = module if self.kind == "module" else getattr(module, self.service, None)
        found = getattr(owner, method, None) if owner is not None else None
        if not callable(found):
            raise AttributeError("in-process call: %s (module %s) has no method %r" % (self.service, self.module, method))
        return found  # type: ignore[no-any-return]

    def hosted_module(self, settings: Settings, name: str, what: str) -> Any:
        """The hosted module `name`, imported with `modules` on sys.path; `what` names the call."""
        for folder in reversed(settings.modules):
            path = os.path.abspath(folder)
            if path not in sys.path:
                sys.path.insert(0, path)
        try:
            return importlib.import_module(name)
        except ImportError as e:
            hint = "set modules=<folder of %s.py> in the configuration" % name
            if settings.modules:
                hint = "modules=%s (from %s) does not provide it" % (",".join(settings.modules), settings.source)
            raise ImportError("in-process call of %s: cannot import %r: %s; %s" % (what, name, e, hint)) from e

    # ------------------------------------------------------------ objects (objects.py)

    def construct(self, settings: Settings, service: str, module: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        """A new hosted object of the class `service`, its arguments converted as for a call."""
        cls = getattr(self.hosted_module(settings, module, service + "()"), service, None)
        if not isinstance(cls, type):
            raise AttributeError("in-process call: the hosted module %s has no class %s" % (module, service))
        signature = _signature(cls)
        check_arguments(signature, args, kwargs, coerce.hints(getattr(cls, "__init__")))
        hosted_args: Any = [self.to_hosted(a) for a in args]
        hosted_kwargs = {k: self.to_hosted(v) for k, v in kwargs.items()}
        if signature is not None:
            init = getattr(cls, "__init__")
            hosted_args, hosted_kwargs = coerce.bind(signature, coerce.hints(init), hosted_args, hosted_kwargs)
        return self._run(cls, hosted_args, hosted_kwargs)

    def invoke_on(self, hosted: Any, method: str, args: Sequence[Any], kwargs: Dict[str, Any],
                  timeout: Optional[float] = None) -> Any:
        """`invoke` for the instance method `method` of the hosted object `hosted`:
        at once when every value needs no conversion (plans.method_fast)."""
        key = (type(hosted), method)
        fast = self._fast_on.get(key, MISS)
        if fast is MISS:
            fast = self._fast_on[key] = method_fast(key[0], method, coerce.hints(getattr(key[0], method, None)))
        if fast is not None and not args:
            result = self._run(fast, (hosted, kwargs), {}, timeout)
            if result is not MISS:
                return result
        target = getattr(hosted, method)
        if key not in self._methods:
            self._methods[key] = _signature(target)
        signature = self._methods[key]
        check_arguments(signature, args, kwargs, coerce.hints(target))
        hosted_args: Any = [self.to_hosted(a) for a in args]
        hosted_kwargs = {k: self.to_hosted(v) for k, v in kwargs.items()}
        if signature is not None:
            hosted_args, hosted_kwargs = coerce.bind(signature, coerce.hints(target), hosted_args, hosted_kwargs)
        return self._run(target, hosted_args, hosted_kwargs, timeout)

    async def call_on(self, hosted: Any, method: str, args: Sequence[Any], kwargs: Dict[str, Any],
                      timeout: Optional[float] = None) -> Any:
        result = self.invoke_on(hosted, method, args, kwargs, timeout)
        key = (type(hosted), method)
        if key not in self._returns:
            hint = coerce.hints(getattr(hosted, method)).get("return")
            self._returns[key] = None if hint is None else ("%s.%s" % (key[0].__name__, method), hint)
        return await self.result(result, self._returns[key])

    def run_closer(self, hosted: Any) -> Any:
        """Runs the hosted object's `close()`, `aclose()`, `__exit__` or `__aexit__`
        (the first it has); its result (a coroutine for the async ones)."""
        for name in ("close", "aclose", "__exit__", "__aexit__"):
            closer = getattr(hosted, name, None)
            if callable(closer):
                return closer(None, None, None) if name.startswith("__") else closer()
        return None

    async def release(self, hosted: Any) -> None:
        """A released object's hosted closer, run and awaited; what it raises mapped."""
        await self.result(self._run(self.run_closer, [hosted], {}))

    # ------------------------------------------------------------ conversion

    def hosted_class(self, cls: type) -> type:
        key = (str(getattr(cls, "__graft_module__")), cls.__name__)
        if key not in self._hosted:
            found = getattr(importlib.import_module(key[0]), key[1], None)
            if not isinstance(found, type):
                raise TypeError("in-process call: the hosted module %s has no class %s" % key)
            self._hosted[key] = found
        return self._hosted[key]

    def to_hosted(self, value: Any) -> Any:
        """A graft value as the hosted module's classes; what building them
        raises (a hosted `__post_init__`'s exception) mapped as a gateway's."""
        try:
            return self._to_hosted(value)
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit):
            raise
        except Exception as exc:  # noqa: BLE001 - mapped as a remote call would map it
            raise self.exception(exc).with_traceback(exc.__traceback__) from None

    def to_graft(self, value: Any, typed: Optional[Tuple[str, Any]] = None, index: Optional[int] = None) -> Any:
        """A hosted value as the graft's classes; checked against `typed`, a
        method's name and return annotation, if given (typed.py); with
        `index`, a stream's item at that index and its item annotation."""
        if self._registered != self.registry.version:  # classes registered since: look again
            self._registered = self.registry.version
            self._to_graft = Converter(self._graft_for, self._graft_object)
        if typed is None:
            return self._to_graft(value)
        return typed_result(self._to_graft, typed, value, index)

    def _hosted_for(self, cls: type) -> Optional[type]:
        """The hosted class of a graft class; None for another (a caller's subclass
        of a graft class included: left as it is, for coerce to refuse as a gateway does)."""
        if not is_graft_class(cls):
            return None
        try:
            return self.hosted_class(cls)
        except TypeError:
            if self.registry.classes.get(cls.__name__) is cls:
                raise
            return None

    def _graft_for(self, cls: type) -> Optional[type]:
        if is_graft_class(cls):
            return None
        return self.registry.dataclass_or_enum(cls.__name__)

    def _graft_object(self, cls: type) -> Optional[Callable[[Any], Any]]:
        """A hosted object of a service class the graft has: adopted as that
        class; of one it has not: a reference, as a gateway answers it."""
        graft = self.registry.classes.get(cls.__name__)
        if not getattr(graft, "__graft_object__", False) or getattr(graft, "__graft_module__") != cls.__module__:
            return self.references.adopt if is_service_class(cls) else None
        adopt: Callable[[str, Any], Any] = getattr(graft, "_graft_adopt")
        return lambda hosted: adopt("", hosted)

    def _hosted_object(self, cls: type) -> Optional[Callable[[Any], Any]]:
        """A graft object, or a reference (`ObjectRef`), as an argument: its hosted object."""
        return self.references.resolve if cls is ObjectRef else _hosted_object(cls)

    def exception(self, exc: BaseException) -> BaseException:
        """What the caller sees for `exc`, raised by the hosted method."""
        cls = type(exc)
        graft = self.registry.exception(cls.__name__)
        if graft is not None and not is_graft_class(cls):
            names = getattr(graft, "__graft_fields__", ())
            fields = {n: self.to_graft(getattr(exc, n)) for n in names if hasattr(exc, n)}
            return rebuild(graft, str(exc), [self.to_graft(a) for a in exc.args], fields)
        if graft is not None or cls.__module__ == "builtins" or cls is ReleasedObjectError:
            return exc
        raised = Raised(
            type_name=cls.__name__,
            module=cls.__module__,
            message=str(exc),
            args=[self.to_graft(a) for a in exc.args],
            fields={},
            traceback="".join(traceback.format_exception(cls, exc, exc.__traceback__)),
        )
        return RemoteError(STATUS_RAISED, raised)


def _hosted_object(cls: type) -> Optional[Callable[[Any], Any]]:
    """A graft object as the argument of an in-process call: its hosted object."""
    if not getattr(cls, "__graft_object__", False):
        return None
    return lambda obj: _hosted_of(obj._graft_state)


def _hosted_of(state: Any) -> Any:
    state.reference()  # raises for one released or not made yet
    if state.hosted is None:
        raise TypeError("%s lives on a gateway; it cannot be passed to an in-process call" % state.name)
    return state.hosted


def _signature(target: Any) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return None
