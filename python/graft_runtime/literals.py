"""`Literal[...]` checked in-process as a gateway checks it.

A gateway refuses a value outside a `Literal` before the hosted method runs
(graft_model's check), and a remote caller gets a `TypeError` naming the
argument, the path inside it and the allowed values. An in-process call
raises the same `TypeError` with the same text: for the parameter itself
(`coerce.bind`, by the hosted annotations) and for the fields of the
graft's dataclasses inside an argument (`check_arguments`, by the graft's
own annotations, before anything is converted to the hosted classes).
"""

import dataclasses
import inspect
import json
import types
import typing
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

_Check = Callable[[Any], Any]


class Misfit(Exception):
    """A value outside a `Literal`; `path` is where inside the argument (`.status`, `[2].status`)."""

    def __init__(self, expected: str, value: Any, path: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.path = path

    def error(self, param: str) -> TypeError:
        """The TypeError a remote call raises for it (graft_model's ArgError text)."""
        found = json.dumps(self.value, ensure_ascii=False, separators=(",", ":"), default=repr)
        if len(found) > 80:
            found = found[:77] + "..."
        return TypeError("argument `%s` has the wrong type: %s%s: expected %s, got %s"
                         % (param, param, self.path, self.expected, found))


def is_literal(hint: Any) -> bool:
    """`Literal[...]`, or `Optional` of one."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return True
    options = [a for a in typing.get_args(hint) if a is not type(None)] if _is_union(origin) else []
    return len(options) == 1 and typing.get_origin(options[0]) is typing.Literal


def literal_check(hint: Any) -> _Check:
    """The check of a value for `hint` (`is_literal`): it must be one of the values (or None, if Optional)."""
    literal, optional = hint, ()  # type: Any, Tuple[None, ...]
    if typing.get_origin(hint) is not typing.Literal:
        literal, optional = next(a for a in typing.get_args(hint) if a is not type(None)), (None,)
    allowed = typing.get_args(literal) + optional
    text = "Literal[%s]" % ", ".join(_py_text(v) for v in typing.get_args(literal))

    def check(value: Any) -> Any:
        if any(type(value) is type(a) and value == a for a in allowed):
            return value
        raise Misfit(text, value)

    return check


def _py_text(value: Any) -> str:
    """A value as graft_model's `TypeRef::python` writes a Literal's."""
    if isinstance(value, str):
        return "'%s'" % value.replace("\\", "\\\\").replace("'", "\\'")
    return repr(value)


def _is_union(origin: Any) -> bool:
    return origin is typing.Union or (origin is not None and origin is getattr(types, "UnionType", None))


# ---------------------------------------------------------------- inside arguments

_fields: Dict[type, List[Tuple[str, _Check]]] = {}


def check_arguments(signature: Optional[inspect.Signature], args: Sequence[Any], kwargs: Dict[str, Any]) -> None:
    """Raises the TypeError a gateway would for a Literal field of a graft
    dataclass (at any depth, through lists) among the arguments."""
    if signature is None or not any(_needs_walk(type(v)) for v in (*args, *kwargs.values())):
        return  # the common case, seen without binding the arguments
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return  # the call itself raises it
    for name, value in bound.arguments.items():
        try:
            if _needs_walk(type(value)):
                _walk(value, ())
        except Misfit as misfit:
            raise misfit.error(name) from None


def _walk(value: Any, path: Tuple[str, ...]) -> None:
    """Checks the Literal fields of the graft dataclasses in `value`; `path`
    (its segments, joined only for an error) is where `value` is."""
    kind = type(value)
    if kind in (list, tuple, set, frozenset, dict):
        items = value.values() if kind is dict else value
        if not any(map(_needs_walk, set(map(type, items)))):
            return  # the common case: a list of records with no Literal field, seen by type alone
        for i, item in enumerate(items):
            if _needs_walk(type(item)):
                _walk(item, path + ("[...]" if kind is dict else "[%d]" % i,))
        return
    plan = _plan(kind)
    if plan is None:
        return
    checks, nested = plan
    for name, check in checks:
        try:
            check(getattr(value, name))
        except Misfit as misfit:
            raise Misfit(misfit.expected, misfit.value, "".join(path) + "." + name) from None
    for name in nested:
        field = getattr(value, name)
        if _needs_walk(type(field)):
            _walk(field, path + ("." + name,))


def _needs_walk(kind: type) -> bool:
    """Whether a value of type `kind` may hold a Literal field to check."""
    if kind in _PLAIN:
        return False
    return kind in (list, tuple, set, frozenset, dict) or _plan(kind) is not None


_PLAIN = frozenset({str, int, float, bool, bytes, type(None)})
_Plan = Tuple[List[Tuple[str, _Check]], List[str]]
_plans: Dict[type, Optional[_Plan]] = {}


def _plan(cls: type) -> Optional[_Plan]:
    """For a graft dataclass: its Literal fields with their checks, and the
    fields that may hold more to check; None when there is nothing (once per class)."""
    if cls in _plans:
        return _plans[cls]
    _plans[cls] = None  # a recursive class refers back here while this one is made
    if not dataclasses.is_dataclass(cls) or not isinstance(getattr(cls, "__graft_module__", None), str):
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - annotations it cannot resolve: nothing checked
        return None
    checks = [(n, literal_check(h)) for n, h in hints.items() if is_literal(h)]
    nested = [f.name for f in dataclasses.fields(cls) if f.name in hints and _may_hold(hints[f.name])]
    plan = (checks, nested) if checks or nested else None
    _plans[cls] = plan
    return plan


def _may_hold(hint: Any) -> bool:
    """Whether a value of `hint` may hold a dataclass (so a Literal field inside)."""
    if inspect.isclass(hint):
        return dataclasses.is_dataclass(hint)
    return any(_may_hold(a) for a in typing.get_args(hint))
