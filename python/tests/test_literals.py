"""Literal values checked in-process as a gateway checks them (literals.py, coerce.bind)."""

import dataclasses
import inspect
import sys
from pathlib import Path
from typing import Dict, List, Literal, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graft_runtime import coerce  # noqa: E402
from graft_runtime.literals import check_arguments  # noqa: E402

Status = Literal["new", "paid"]


@dataclasses.dataclass
class Node:
    __graft_module__ = "tree"
    name: str
    children: "List[Node]" = dataclasses.field(default_factory=list)
    status: Status = "new"


@dataclasses.dataclass
class Plain:
    __graft_module__ = "tree"
    sku: str
    qty: int


def set_status(order: int, status: Status, note: Optional[Literal[1, True, None]] = None) -> None:
    pass


def grow(tree: Node, extra: Dict[str, List[Node]], plain: List[Plain]) -> None:
    pass


def bind(target, *args, **kwargs):
    return coerce.bind(inspect.signature(target), coerce.hints(target), args, kwargs)


def test_a_parameter_takes_its_values_only_with_the_gateway_s_message():
    assert bind(set_status, 1, "paid") == ((1, "paid"), {})
    with pytest.raises(TypeError) as refused:
        bind(set_status, 1, "bogus")
    assert str(refused.value) == ("argument `status` has the wrong type: status: expected "
                                  "Literal['new', 'paid'], got \"bogus\"")
    assert bind(set_status, 1, "new", note=True) == ((1, "new", True), {})
    with pytest.raises(TypeError, match=r"note: expected Literal\[1, True, None\], got 2"):
        bind(set_status, 1, "new", note=2)
    with pytest.raises(TypeError):  # True is not 1 here, as in JSON
        bind(set_status, 1, "new", note=False)


def test_fields_of_graft_dataclasses_are_checked_at_any_depth():
    signature = inspect.signature(grow)
    good = Node("root", [Node("a", status="paid")])
    check_arguments(signature, [good, {"k": [Node("b")]}, [Plain("x", 1)] * 3], {})
    with pytest.raises(TypeError) as deep:
        check_arguments(signature, [Node("root", [Node("a"), Node("b", status="lost")]), {}, []], {})
    assert str(deep.value) == ("argument `tree` has the wrong type: tree.children[1].status: "
                               "expected Literal['new', 'paid'], got \"lost\"")
    with pytest.raises(TypeError, match=r"extra\[\.\.\.\]\[0\]\.status"):
        check_arguments(signature, [good], {"extra": {"k": [Node("c", status="x")]}, "plain": []})


def tagged(tags: List[Status], by_name: Dict[str, Optional[Status]], pair: "tuple[int, Status]") -> None:
    pass


def test_literals_inside_containers_are_checked_by_the_parameter_s_annotation():
    signature, hints = inspect.signature(tagged), coerce.hints(tagged)
    check_arguments(signature, [["new", "paid"], {"a": None, "b": "new"}, (1, "paid")], {}, hints)
    cases = [
        ([["new", "lost"], {}, (1, "new")], "tags[1]: expected Literal['new', 'paid'], got \"lost\""),
        ([[], {"a": "lost"}, (1, "new")], "by_name[...]: expected"),
        ([[], {}, (1, "lost")], "pair[1]: expected"),
    ]
    for args, text in cases:
        with pytest.raises(TypeError) as refused:
            check_arguments(signature, args, {}, hints)
        assert text in str(refused.value), str(refused.value)


def test_values_compare_as_a_gateway_compares_them():
    import enum

    class Level(enum.IntEnum):
        ONE = 1

    class Word(str, enum.Enum):
        NEW = "new"

    def pick(n: Literal[1], s: Status) -> None:
        pass

    assert bind(pick, Level.ONE, Word.NEW) == ((Level.ONE, Word.NEW), {})  # members are their values
    for wrong in (True, 1.0):
        with pytest.raises(TypeError):
            bind(pick, wrong, "new")
