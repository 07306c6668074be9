"""The values of in-process calls (local.py), crossing between the graft's
classes and the hosted module's.

The graft's dataclasses and enums are its own classes, not the hosted
module's: an argument becomes the hosted class of the same type name, a
result the graft's again, a hosted object the graft's object or a
reference, as a gateway answers it. What the hosted code raises comes back
as a remote call would bring it: the graft's exception class with the same
fields and message, a built-in exception as itself, anything else as a
`RemoteError`.
"""

import importlib
import traceback
from typing import Any, Callable, Dict, Optional, Tuple

from .classes import Registry, is_graft_class, rebuild
from .convert import Converter
from .errors import UNMAPPED
from .objects import References, ReleasedObjectError, is_service_class
from .typed import convert as typed_result
from .values import ObjectRef
from .wire import STATUS_RAISED, Raised, RemoteError


class LocalValues:
    """Converts one graft's values to the hosted module's classes and back."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._hosted: Dict[Tuple[str, str], type] = {}
        # Objects of hosted classes the graft has no class for, as references (objects.py).
        self.references = References()
        # Conversions worked out per type (convert.py); the graft's side
        # again after classes are registered.
        self._to_hosted = Converter(self._hosted_for, self._hosted_object)
        self._to_graft = Converter(self._graft_for, self._graft_object)
        self._registered = registry.version

    def hosted_class(self, cls: type) -> type:
        """The hosted module's class of the graft class `cls`, found by module and name once."""
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
        except UNMAPPED:
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
