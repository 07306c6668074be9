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

from . import coerce
from .classes import Registry, is_graft_class, rebuild
from .config import Settings
from .convert import Converter
from .plans import Plan
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
        self._to_hosted = Converter(self._hosted_for)
        self._to_graft = Converter(self._graft_for)
        self._registered = registry.version

    def plan(self, settings: Settings, method: str) -> Plan:
        """The method's plan under `settings`, made (the target imported) on its first call."""
        plan = self.plans.get(method)
        if plan is None or plan.settings is not settings:
            target = self.target(settings, method)
            try:
                signature: Optional[inspect.Signature] = inspect.signature(target)
            except (TypeError, ValueError):
                signature = None
            plan = self.plans[method] = Plan(settings, target, signature, coerce.hints(target))
        return plan

    async def call(
        self, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any]
    ) -> Any:
        result = self.invoke(settings, method, args, kwargs)
        try:
            if inspect.isawaitable(result):
                result = await result
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped as a remote call would map it
            raise self.exception(exc).with_traceback(exc.__traceback__) from None
        return self.to_graft(result)

    def invoke(self, settings: Settings, method: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> Any:
        """The hosted method's own result (an awaitable for an `async def`, a
        generator for a streaming one), its arguments converted; what it raises
        is mapped as a remote call would map it."""
        plan = self.plan(settings, method)
        hosted_args: Any = [self.to_hosted(a) for a in args]
        hosted_kwargs = {k: self.to_hosted(v) for k, v in kwargs.items()}
        if plan.signature is not None:
            hosted_args, hosted_kwargs = coerce.bind(plan.signature, plan.hints, hosted_args, hosted_kwargs)
        try:
            return plan.target(*hosted_args, **hosted_kwargs)
        except (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - mapped as a remote call would map it
            raise self.exception(exc).with_traceback(exc.__traceback__) from None

    def target(self, settings: Settings, method: str) -> Callable[..., Any]:
        """The hosted callable, importing its module (with `modules` on sys.path)."""
        for folder in reversed(settings.modules):
            path = os.path.abspath(folder)
            if path not in sys.path:
                sys.path.insert(0, path)
        try:
            module = importlib.import_module(self.module)
        except ImportError as e:
            hint = "set modules=<folder of %s.py> in the configuration" % self.module
            if settings.modules:
                hint = "modules=%s (from %s) does not provide it" % (",".join(settings.modules), settings.source)
            raise ImportError("in-process call of %s.%s: cannot import %r: %s; %s" % (self.service, method, self.module, e, hint)) from e
        owner: Any = module if self.kind == "module" else getattr(module, self.service, None)
        found = getattr(owner, method, None) if owner is not None else None
        if not callable(found):
            raise AttributeError("in-process call: %s (module %s) has no method %r" % (self.service, self.module, method))
        return found  # type: ignore[no-any-return]

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
        """A graft value as the hosted module's classes."""
        return self._to_hosted(value)

    def to_graft(self, value: Any) -> Any:
        """A hosted value as the graft's classes."""
        if self._registered != self.registry.version:  # classes registered since: look again
            self._registered = self.registry.version
            self._to_graft = Converter(self._graft_for)
        return self._to_graft(value)

    def _hosted_for(self, cls: type) -> Optional[type]:
        return self.hosted_class(cls) if is_graft_class(cls) else None

    def _graft_for(self, cls: type) -> Optional[type]:
        if is_graft_class(cls):
            return None
        return self.registry.dataclass_or_enum(cls.__name__)

    def exception(self, exc: BaseException) -> BaseException:
        """What the caller sees for `exc`, raised by the hosted method."""
        cls = type(exc)
        graft = self.registry.exception(cls.__name__)
        if graft is not None and not is_graft_class(cls):
            names = getattr(graft, "__graft_fields__", ())
            fields = {n: self.to_graft(getattr(exc, n)) for n in names if hasattr(exc, n)}
            return rebuild(graft, str(exc), [self.to_graft(a) for a in exc.args], fields)
        if graft is not None or cls.__module__ == "builtins":
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
