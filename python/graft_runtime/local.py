"""In-process calls: the hosted module imported into this interpreter.

The graft's dataclasses and enums are its own classes, not the hosted
module's, so arguments are converted to the hosted module's classes and
results back to the graft's, and what the hosted code raises comes back as
a remote call would bring it (local_values.py). Arguments are also
converted by the hosted annotations as a gateway converts them (`coerce`:
an int for a float, a list for a tuple).
"""

import importlib
import inspect
import os
import sys
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from . import coerce, headers, returns
from .classes import Registry
from .config import Settings
from .errors import UNMAPPED
from .literals import check_arguments
from .local_values import LocalValues
from .plans import MISS, Plan, method_fast
from .remote import within


class Local(LocalValues):
    """Calls one graft's service in this process; its values cross as
    `LocalValues` converts them."""

    def __init__(self, registry: Registry, service: str, module: str, kind: str) -> None:
        super().__init__(registry)
        self.service = service
        self.module = module
        self.kind = kind
        # Per method: the target, signature and call shapes under the
        # configuration in force (`plan`); a new configuration makes new ones.
        self.plans: Dict[str, Plan] = {}
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
        except UNMAPPED:
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
        except UNMAPPED:
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


def _signature(target: Any) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return None
