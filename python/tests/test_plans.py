"""The in-process fast path (plans.py): which values skip conversion, and how the target is called."""

import inspect
import sys
from pathlib import Path
from typing import Any, List, Optional, Union

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graft_runtime import coerce  # noqa: E402
from graft_runtime.plans import MISS, PLAIN, Plan, identity_types  # noqa: E402


def plan_of(target: Any) -> Plan:
    return Plan(None, target, inspect.signature(target), coerce.hints(target))


def test_identity_types_agree_with_coerce():
    samples = [0, 3, 2.5, "s", b"b", True, None]
    for hint in [int, float, str, bytes, bool, None, Any, Optional[int], Optional[float], Union[int, str],
                 Union[str, float], List[int], Optional[List[int]]]:
        fine = identity_types(hint)
        assert fine <= PLAIN
        for value in samples:
            if type(value) in fine:
                got = coerce.coerce(value, hint) if hint is not None else value
                assert got is value, (hint, value, got)
    assert int not in identity_types(float) and int not in identity_types(Optional[float])
    assert int in identity_types(Union[float, str]) and int in identity_types(Optional[Union[int, float]])
    assert not identity_types(List[int])


def test_fast_calls_as_bind_would():
    seen = []

    def f(a: int, b: str, *, c: Optional[bytes] = None) -> int:
        seen.append((a, b, c))
        return 7

    fast = plan_of(f).fast
    assert fast is not None
    assert fast({"a": 1, "b": "x", "c": None}) == 7 and seen == [(1, "x", None)]
    assert fast({"b": "x", "a": 1, "c": b"z"}) == 7 and seen[-1] == (1, "x", b"z")
    assert fast({"a": 1, "b": "x"}) is MISS  # c left to its default: the general path
    assert fast({"a": 1, "b": "x", "d": 2}) is MISS
    assert fast({"a": [1], "b": "x", "c": None}) is MISS
    assert len(seen) == 2


def test_no_fast_path_where_values_need_converting():
    def floats(a: float) -> float:
        return a

    def items(a: List[int]) -> None: ...

    def positional_only(a: int) -> None: ...

    positional_only.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("a", inspect.Parameter.POSITIONAL_ONLY, annotation=int)])  # `a, /` (3.8 syntax here)

    def variadic(*a: int) -> None: ...

    fast = plan_of(floats).fast
    assert fast is not None and fast({"a": 1}) is MISS and fast({"a": 1.5}) == 1.5
    assert plan_of(items).fast is None
    assert plan_of(positional_only).fast is None
    assert plan_of(variadic).fast is None


def test_compiled_converters_agree_with_coerce():
    import dataclasses
    import enum
    from typing import Dict, Set, Tuple

    class Level(enum.Enum):
        LOW = 1

    @dataclasses.dataclass
    class Rec:
        id: int
        value: float
        tags: List[float]
        level: Optional[Level] = None

    def fresh():
        return [Rec(1, 2, [3], 1), Rec(2, 2.5, (1.5, 2), None)]

    cases = [
        (3, float), (True, float), ("x", float), (None, float), (3, int), ("s", str), (b"b", bytes),
        ([1, 2], List[float]), ((1, 2), List[float]), ({1}, List[int]), ("ab", List[str]), (None, List[int]),
        ([1, "a"], Tuple[float, str]), ({1: 2}, Dict[float, float]), ([1, 1], Set[int]), (2, Optional[float]),
        (1, Level), ("nope", Level),
    ]
    def outcome(convert, value):
        try:
            return convert(value)
        except coerce.Misfit as misfit:  # refused, as a gateway refuses it: the same way by both
            return ("refused", misfit.expected, misfit.path)

    for value, hint in cases:
        want, got = outcome(lambda v: coerce.coerce(v, hint), value), outcome(coerce.converter(hint), value)
        assert got == want and type(got) is type(want), (value, hint, got, want)
    want, got = coerce.coerce(fresh(), List[Rec]), coerce.converter(List[Rec])(fresh())
    assert got == want and [type(r.value) for r in got] == [float, float]
    assert [type(t) for r in got for t in r.tags] == [type(t) for r in want for t in r.tags]
    assert [r.level for r in got] == [r.level for r in want]
