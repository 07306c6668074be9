"""`Literal[...]` checked in-process as a gateway checks it.

A gateway refuses a value outside a `Literal` before the hosted method runs
(graft_model's check), and a remote caller gets a `TypeError` naming the
argument, the path inside it and the allowed values. An in-process call
raises the same `TypeError` with the same text: for the parameter itself
(`coerce.bind`, by the hosted annotations) and for the fields of the
graft's dataclasses inside an argument (`check_arguments`, by the graft's
own annotations, before anything is converted to the hosted classes).
"""

import collections.abc
import dataclasses
import inspect
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
        from .checks import json_text  # noqa: PLC0415 - checks imports this module

        found = json_text(self.value)
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
        if any(_is(value, a) for a in allowed):
            return value
        raise Misfit(text, value)

    return check


def _is(value: Any, allowed: Any) -> bool:
    """Whether `value` is the Literal value `allowed` as a gateway compares
    them (as JSON): True is not 1, 1.0 is not 1; an IntEnum or StrEnum
    member is its value."""
    if allowed is None or isinstance(allowed, bool):
        return value is allowed
    if isinstance(allowed, int):
        return isinstance(value, int) and not isinstance(value, bool) and value == allowed
    return isinstance(value, str) and value == allowed


def _py_text(value: Any) -> str:
    """A value as graft_model's `TypeRef::python` writes a Literal's."""
    if isinstance(value, str):
        return "'%s'" % value.replace("\\", "\\\\").replace("'", "\\'")
    return repr(value)


def _is_union(origin: Any) -> bool:
    return origin is typing.Union or (origin is not None and origin is getattr(types, "UnionType", None))


# ---------------------------------------------------------------- inside arguments

_Walker = Callable[[Any, Tuple[str, ...]], None]
_ITEMS = frozenset({list, tuple, set, frozenset})
_LISTS = (list, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence,
          collections.abc.Iterable, collections.abc.Set, collections.abc.MutableSet)
_DICTS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def check_arguments(signature: Optional[inspect.Signature], args: Sequence[Any], kwargs: Dict[str, Any],
                    hints: Optional[Dict[str, Any]] = None) -> None:
    """Raises the TypeError a gateway would for a value outside a Literal
    inside the arguments: where the parameters' `hints` put one (in a list,
    a dict's values, a tuple), and in the Literal fields of the graft's
    dataclasses at any depth."""
    if signature is None:
        return
    checkers = _param_checkers(hints or {})
    if not checkers and not any(_needs_walk(type(v)) for v in (*args, *kwargs.values())):
        return  # the common case, seen without binding the arguments
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return  # the call itself raises it
    for name, value in bound.arguments.items():
        try:
            walk = checkers.get(name) or (_walk if _needs_walk(type(value)) else None)
            if walk is not None:
                walk(value, ())
        except Misfit as misfit:
            raise misfit.error(name) from None


def _param_checkers(hints: Dict[str, Any]) -> Dict[str, _Walker]:
    """The parameters whose annotation holds a Literal, with their checks
    (once per annotations dict: it is kept with them, so its id stays its own)."""
    found = _by_hints.get(id(hints))
    if found is None or found[0] is not hints:
        pairs = ((n, _checker(h)) for n, h in hints.items() if n != "return")
        found = _by_hints[id(hints)] = (hints, {n: c for n, c in pairs if c is not None})
    return found[1]


_by_hints: Dict[int, Tuple[Dict[str, Any], Dict[str, _Walker]]] = {}


def _walk(value: Any, path: Tuple[str, ...]) -> None:
    """Checks the Literal fields of the graft dataclasses in `value`, by
    their types; `path` (its segments, joined only for an error) is where `value` is."""
    kind = type(value)
    if kind in _ITEMS or kind is dict:
        items = value.values() if kind is dict else value
        if not any(map(_needs_walk, set(map(type, items)))):
            return  # the common case: a list of records with no Literal field, seen by type alone
        for i, item in enumerate(items):
            if _needs_walk(type(item)):
                _walk(item, path + ("[...]" if kind is dict else "[%d]" % i,))
        return
    for name, walk in _plan(kind) or ():
        walk(getattr(value, name), path + ("." + name,))


def _needs_walk(kind: type) -> bool:
    """Whether a value of type `kind` may hold a Literal field to check."""
    if kind in _PLAIN:
        return False
    return kind in _ITEMS or kind is dict or _plan(kind) is not None


_PLAIN = frozenset({str, int, float, bool, bytes, type(None)})
_plans: Dict[type, Optional[List[Tuple[str, _Walker]]]] = {}
_checkers: Dict[Any, Optional[_Walker]] = {}


def _plan(cls: type) -> Optional[List[Tuple[str, _Walker]]]:
    """For a graft dataclass: its fields that may hold a Literal, each with
    how to check it; None when there is nothing (once per class)."""
    if cls in _plans:
        return _plans[cls]
    _plans[cls] = None  # a recursive class refers back here while this one is made
    if not dataclasses.is_dataclass(cls) or not isinstance(getattr(cls, "__graft_module__", None), str):
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - annotations it cannot resolve: nothing checked
        return None
    plan = []
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        walk = _checker(hint) or (_walk if _may_hold(hint) else None)
        if walk is not None:
            plan.append((f.name, walk))
    _plans[cls] = plan or None
    return _plans[cls]


def _checker(hint: Any) -> Optional[_Walker]:
    """How to check a value of `hint` that is or holds a Literal (through
    Optional, lists, sets, tuples and dict values), or None (once per hint)."""
    try:
        if hint in _checkers:
            return _checkers[hint]
    except TypeError:  # an unhashable hint
        return None
    _checkers[hint] = found = _make_checker(hint)
    return found


def _make_checker(hint: Any) -> Optional[_Walker]:
    if is_literal(hint):
        check = literal_check(hint)

        def literal(value: Any, path: Tuple[str, ...]) -> None:
            try:
                check(value)
            except Misfit as misfit:
                raise Misfit(misfit.expected, misfit.value, "".join(path)) from None

        return literal
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if _is_union(origin):
        options = [a for a in args if a is not type(None)]
        if len(options) > 1 and any(is_literal(o) for o in options):
            return _literal_union(hint, args)
        inner = _checker(options[0]) if len(options) == 1 else None
        return None if inner is None else (lambda v, path: None if v is None else inner(v, path))
    if origin is tuple and args and args[-1] is not Ellipsis:
        each = [_checker(a) for a in args]
        if not any(each):
            return None
        return lambda v, path: _positions(v, path, each)
    if origin in _LISTS or origin is tuple:
        item = _checker(args[0]) if args else None
        return None if item is None else (lambda v, path: _items(v, path, item))
    if origin in _DICTS and len(args) == 2:
        key, value = _checker(args[0]), _checker(args[1])
        if key is None and value is None:
            return None
        return lambda v, path: _entries(v, path, key, value) if type(v) is dict else None
    return None


def _entries(values: Dict[Any, Any], path: Tuple[str, ...], key: Optional[_Walker], value: Optional[_Walker]) -> None:
    """Checks a dict's keys (` key`, as a gateway names one) and values (`[...]`)."""
    for k, v in values.items():
        if key is not None:
            key(k, path + (" key",))
        if value is not None:
            value(v, path + ("[...]",))


def _literal_union(hint: Any, options: Tuple[Any, ...]) -> _Walker:
    """A Union with a Literal among other types: the value must fit one
    option, as a gateway checks it (the Union named otherwise)."""
    from .checks import fits  # noqa: PLC0415 - checks imports this module
    from .returns import text  # noqa: PLC0415

    expected = text(hint)
    literals = [literal_check(o) for o in options if is_literal(o)]
    others = [o for o in options if not is_literal(o)]

    def one_of(value: Any, path: Tuple[str, ...]) -> None:
        if any(fits(value, o) for o in others):
            return
        for check in literals:
            try:
                check(value)
                return
            except Misfit:
                continue
        raise Misfit(expected, value, "".join(path))

    return one_of


def _items(values: Any, path: Tuple[str, ...], check: _Walker, segment: str = "") -> None:
    """Checks the items of a list, set or tuple (by index), or a dict's values (`segment`)."""
    if segment:
        for v in values:
            check(v, path + (segment,))
    elif type(values) in _ITEMS:
        for i, v in enumerate(values):
            check(v, path + ("[%d]" % i,))


def _positions(values: Any, path: Tuple[str, ...], each: List[Optional[_Walker]]) -> None:
    if type(values) in _ITEMS and len(values) == len(each):
        for i, (v, check) in enumerate(zip(values, each)):
            if check is not None:
                check(v, path + ("[%d]" % i,))


def _may_hold(hint: Any) -> bool:
    """Whether a value of `hint` may hold a dataclass (so a Literal field inside)."""
    if inspect.isclass(hint):
        return dataclasses.is_dataclass(hint)
    return any(_may_hold(a) for a in typing.get_args(hint))
