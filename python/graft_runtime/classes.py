"""The graft's own classes, and rebuilding its exceptions from a raised one.

A generated graft registers its dataclasses, enums and exception classes
with its client (`GraftClient.register`). Each carries `__graft_module__`,
the hosted module that defines the original class, and exceptions carry
`__graft_fields__`, their `__init__` fields. `Registry` looks them up by
name; `rebuild` makes the exception a caller sees, the same way whether
the call ran in this process or over TCP.
"""

import builtins
import dataclasses
import enum
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple, Type


class NotGiven:
    """The default of a parameter whose hosted default has no source form.

    An argument left at this value is not sent, so the hosted method applies
    its own default.
    """

    _instance: Optional["NotGiven"] = None

    def __new__(cls) -> "NotGiven":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<hosted default>"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Any = NotGiven()


class Registry:
    """The graft's named classes by name: dataclasses, enums, exceptions."""

    def __init__(self) -> None:
        self.classes: Dict[str, type] = {}
        self._types: Dict[str, type] = {}
        self.version = 0  # raised by each `add`, so lookups kept elsewhere are made again

    def add(self, classes: Iterable[type]) -> None:
        self.version += 1
        for cls in classes:
            self.classes[cls.__name__] = cls
        self._types = {n: c for n, c in self.classes.items() if not issubclass(c, BaseException)}

    def dataclass_or_enum(self, name: str) -> Optional[type]:
        cls = self.classes.get(name)
        if cls is None or issubclass(cls, BaseException):
            return None
        return cls

    def exception(self, name: str) -> Optional[Type[BaseException]]:
        cls = self.classes.get(name)
        if cls is not None and issubclass(cls, BaseException):
            return cls
        return None

    def types(self) -> Dict[str, type]:
        """Dataclasses and enums by name, as the wire decoder takes them (not to be changed)."""
        return self._types


def is_graft_class(cls: type) -> bool:
    return isinstance(getattr(cls, "__graft_module__", None), str)


def builtin_exception(name: str) -> Optional[Type[BaseException]]:
    """The built-in exception class named `name` (KeyError, ...), or None.

    Only `Exception`s: a provider's SystemExit or KeyboardInterrupt must not
    stop the caller.
    """
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    return None


def rebuild(
    cls: Type[BaseException],
    message: str,
    args: Sequence[Any],
    fields: Mapping[str, Any],
) -> BaseException:
    """An instance of `cls` with these fields whose `str()` is `message`.

    A graft exception's `__init__` is not run (its parameters need not match
    the arguments the hosted exception kept); a built-in's constructor is
    tried first. `args` is kept when it gives the same message.
    """
    if not hasattr(cls, "__graft_fields__"):  # a built-in: its own constructor sets what str() shows
        try:
            made = cls(*args)
            if type(made) is cls and str(made) == message:
                return made
        except Exception:  # noqa: BLE001 - arguments it does not take: built below
            pass
    exc = cls.__new__(cls)
    BaseException.__init__(exc, *args)
    for name in getattr(cls, "__graft_fields__", ()):
        if name in fields:
            setattr(exc, name, fields[name])
    try:
        same = str(exc) == message
    except Exception:  # noqa: BLE001 - a custom __str__ may need what __init__ sets
        same = False
    if not same:
        exc.args = (message,)
    return exc


def field_values(obj: Any) -> Tuple[Tuple[str, Any], ...]:
    """A dataclass instance's fields, in declaration order."""
    return tuple((f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj))


def left_to_hosted(cls: type) -> Tuple[str, ...]:
    """The fields of a graft dataclass whose default is the hosted one
    (`NOT_GIVEN`: a default with no source form, say a `default_factory`):
    an instance holding NOT_GIVEN there sends nothing for it."""
    if not dataclasses.is_dataclass(cls):
        return ()
    return tuple(f.name for f in dataclasses.fields(cls) if f.default is NOT_GIVEN)


def is_enum(value: Any) -> bool:
    return isinstance(value, enum.Enum)
