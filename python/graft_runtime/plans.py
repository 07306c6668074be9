"""What an in-process call of one method needs, worked out once and kept.

`Local` makes a `Plan` per method on its first call under a configuration:
the hosted callable (imported once), its signature and resolved
annotations, and `fast`, a function written for the method's parameters.
`identity_types` says, per parameter, which argument types the conversions
(`Local.to_hosted`, `coerce`) would return unchanged: an `int` for an
`int`, a `str` for a `str`, anything but an `int` for a `float`. A call
whose every value has such a type calls the target at once through `fast`,
doing no conversion work; any other call takes the general path
(`Local.call`), which converts each value as before.
"""

import inspect
import types
import typing
from typing import Any, Callable, Dict, FrozenSet, Optional, Tuple

PLAIN: FrozenSet[type] = frozenset({int, float, str, bytes, bool, type(None)})
_SIMPLE = (int, float, str, bytes, bool, type(None))
_NONE: FrozenSet[type] = frozenset()
_UNIONS = (typing.Union, getattr(types, "UnionType", typing.Union))


def identity_types(hint: Any) -> FrozenSet[type]:
    """The argument types that `to_hosted` and `coerce(value, hint)` return
    unchanged, having checked them: for `int`, an int (a str, a float or a
    bool is refused, as a gateway refuses it; an int for a `float` becomes
    a float).

    Conservative: a hint not listed here gets none, so its values always
    take the general path. `hint` None means not annotated (no coercion).
    """
    if hint is None or hint is Any:
        return PLAIN
    if hint in _SIMPLE:
        return frozenset({hint})
    if typing.get_origin(hint) in _UNIONS:
        options = typing.get_args(hint)
        if all(o in _SIMPLE for o in options):
            # An int stays an int in a union of two or more (coerce._union); Optional[float] makes it a float.
            real = [o for o in options if o is not type(None)]
            keeps_int = float in real and len(real) > 1
            return frozenset(options) | (frozenset({int}) if keeps_int else _NONE)
    return _NONE


MISS: Any = object()  # what a plan's `fast` returns for a call it does not take


class Plan:
    """One hosted method under one configuration (`settings`, kept by identity).

    `fast(kwargs)` is None or a function made for this method (`_fast`):
    for a call giving every parameter by name, each value of a type that
    needs no conversion, it calls the target as `coerce.bind` would (the
    leading parameters by position) and returns its result; for any other
    call, it returns MISS before calling anything.
    """

    def __init__(self, settings: Any, target: Callable[..., Any], signature: Optional[inspect.Signature],
                 hints: Dict[str, Any]) -> None:
        self.settings = settings
        self.target = target
        self.signature = signature
        self.hints = hints
        self.fast = _fast(target, signature, hints)
        # The method's name and return annotation, which its result is
        # converted and checked by (typed.py); None: not annotated. Set by `Local.plan`.
        self.returns: Optional[Tuple[str, Any]] = None


def method_fast(cls: type, method: str, hints: Dict[str, Any]) -> Optional[Callable[[Any, Dict[str, Any]], Any]]:
    """For the instance method `method` of the hosted class `cls`: `fast(obj,
    kwargs)`, which calls it on `obj` as `fast` of a `Plan` calls a static
    method (MISS for a call it does not take); None if it takes none."""
    function = inspect.getattr_static(cls, method, None)
    if not inspect.isfunction(function):
        return None
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())[1:]  # without `self`
    return _fast(function, signature.replace(parameters=params), hints, bound=True)


def _fast(target: Callable[..., Any], signature: Optional[inspect.Signature],
          hints: Dict[str, Any], bound: bool = False,
          check: Optional[Tuple[Callable[[Any], None], FrozenSet[type]]] = None) -> Optional[Callable[..., Any]]:
    """The fast path's function, written for the method's parameters (`bound`:
    taking the object first, for `target` a function of its class). With
    `check` (a function and the result types it looks at, returns.py), a
    result of one of those types is checked before it is returned. The
    function made has `with_check(check, types)`, which writes it again so."""
    if signature is None:
        return None
    P = inspect.Parameter
    params = list(signature.parameters.values())
    if any(p.kind not in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY) for p in params):
        return None  # positional-only or variadic: the general path
    scope: Dict[str, Any] = {"MISS": MISS, "target": target}
    passed = []
    for i, p in enumerate(params):
        fine = identity_types(hints.get(p.name))
        if not fine:
            return None  # such values always need converting
        scope["T%d" % i] = fine
        passed.append("v%d" % i if p.kind is P.POSITIONAL_OR_KEYWORD else "%s=v%d" % (p.name, i))
    lines = ["def fast(%skw):" % ("obj, " if bound else ""), "    if len(kw) != %d:" % len(params), "        return MISS"]
    if bound:
        passed.insert(0, "obj")
    if params:
        lines += ["    try:"]
        lines += ["        v%d = kw[%r]" % (i, p.name) for i, p in enumerate(params)]
        lines += ["    except KeyError:", "        return MISS"]
        checks = " and ".join("type(v%d) in T%d" % (i, i) for i in range(len(params)))
        lines += ["    if not (%s):" % checks, "        return MISS"]
    if check is None:
        lines += ["    return target(%s)" % ", ".join(passed)]
    else:
        scope["CHECK"], scope["NEEDS"] = check
        lines += ["    r = target(%s)" % ", ".join(passed), "    if type(r) in NEEDS:", "        CHECK(r)", "    return r"]
    exec("\n".join(lines), scope)  # noqa: S102 - our own text, names are parameter names
    made: Any = scope["fast"]
    made.with_check = lambda c, fine: _fast(target, signature, hints, bound, (c, fine))
    return made  # type: ignore[no-any-return]
