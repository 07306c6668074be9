"""Tables (docs/PROTOCOL.md section 3): lists of same-shaped objects by columns.

The vectors in docs/protocol-vectors (value-table-*, value-reject-table-*)
are checked by test_wire.py; these tests cover the Python side: which lists
become tables, which column kinds they get, what decodes from them (through
the fast decoder and the checking one alike) and what is refused.
"""

import dataclasses
import enum
import gc
import math
import struct
import sys
from pathlib import Path
from typing import List, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import decoder, fastdecoder, tables, wire  # noqa: E402
from test_wire import Point, encode  # noqa: E402


@dataclasses.dataclass
class Record:
    id: int
    name: str
    value: float
    active: bool
    unit: Optional[str]


@dataclasses.dataclass
class Swapped:  # Point's fields, the other way round
    y: int
    x: int


@dataclasses.dataclass
class Late:
    a: int
    b: int = dataclasses.field(init=False, default=0)


@dataclasses.dataclass
class Group:
    name: str
    members: List[Point]


class Colour(enum.Enum):
    RED = "red"


class Code(str, enum.Enum):
    A = "a"


class Level(enum.IntEnum):
    LOW = 1


class Count(int):
    pass


class Label(str):
    pass


class Ratio(float):
    pass


TYPES = {"Point": Point, "Record": Record, "Late": Late, "Group": Group, "Colour": Colour}


def decode_both(data, types=TYPES):
    """The value in `data`, which the fast decoder and the checking one must agree on."""
    fast, end = fastdecoder.decode_at(data, 0, types)
    checked, checked_end = decoder.decode(memoryview(data), 0, types, 0)  # a buffer is read as it is
    assert end == checked_end == len(data)
    assert repr(fast) == repr(checked) and encode(fast) == encode(checked)  # bit for bit, NaNs too
    return fast


def round_trip(obj, types=TYPES):
    data = encode(obj)
    back = decode_both(data, types)
    assert encode(back) == data, "what a table decodes to encodes to the same bytes"
    return back, data


def column_kind(cells):
    """The column kind a table of one field `a` holding `cells` gets."""
    data = encode([wire.UnknownObject("T", {"a": cell}) for cell in cells])
    assert data[0] == wire.TABLE
    return data[19]  # tag, "T", field count, "a", row count: 1 + 5 + 4 + 5 + 4 bytes


def test_a_small_table_byte_for_byte():
    data = encode([Record(1, "é", 0.5, True, "kWh"), Record(-2, "", -0.0, False, None)])
    expected = b"".join([
        b"\x0f", b"\x00\x00\x00\x06Record", b"\x00\x00\x00\x05",
        b"\x00\x00\x00\x02id", b"\x00\x00\x00\x04name", b"\x00\x00\x00\x05value",
        b"\x00\x00\x00\x06active", b"\x00\x00\x00\x04unit",
        b"\x00\x00\x00\x02",  # rows
        b"\x03", struct.pack(">qq", 1, -2),  # int column
        b"\x06", b"\x00\x00\x00\x03", "é".encode() + b"\x00",  # str column: the strs joined by NUL
        b"\x04", bytes.fromhex("3fe0000000000000" "8000000000000000"),  # float column
        b"\x01", b"\x01\x00",  # bool column
        b"\x00", b"\x05\x00\x00\x00\x03kWh", b"\x00",  # values column: a str, then None
    ])
    assert data == expected
    assert decode_both(data) == [Record(1, "é", 0.5, True, "kWh"), Record(-2, "", -0.0, False, None)]


def test_records_round_trip_as_registered_classes():
    records = [Record(i, "record-%06d" % i, i * 1.5, i % 2 == 0, ("kWh", "MWh", None)[i % 3]) for i in range(500)]
    back, data = round_trip(records)
    assert data[0] == wire.TABLE and len(data) < len(encode(tuple(records))) / 2
    assert back == records and all(type(r) is Record for r in back)
    assert [type(r.active) for r in back[:2]] == [bool, bool]


def test_unregistered_tables_decode_to_unknown_objects_and_encode_back():
    back, data = round_trip([Record(1, "a", 1.0, True, None), Record(2, "b", 2.0, False, "x")], {})
    assert back == [wire.UnknownObject("Record", {"id": 1, "name": "a", "value": 1.0, "active": True, "unit": None}),
                    wire.UnknownObject("Record", {"id": 2, "name": "b", "value": 2.0, "active": False, "unit": "x"})]
    assert data == encode([Record(1, "a", 1.0, True, None), Record(2, "b", 2.0, False, "x")])


def test_init_false_fields_are_restored():
    items = [Late(1), Late(2)]
    items[1].b = 7
    back, _ = round_trip(items)
    assert [(x.a, x.b) for x in back] == [(1, 0), (2, 7)] and type(back[0]) is Late


def test_field_order_differing_from_the_class_goes_by_name():
    data = encode([Swapped(y=2, x=1), Swapped(y=4, x=3)])
    assert decode_both(data, {"Swapped": Point}) == [Point(1, 2), Point(3, 4)]


def test_different_classes_of_one_name_and_fields_make_one_table():
    Other = dataclasses.make_dataclass("Point", [("x", int), ("y", int)])
    data = encode([Point(1, 2), Other(3, 4), wire.UnknownObject("Point", {"x": 5, "y": 6})])
    assert data[0] == wire.TABLE
    assert decode_both(data) == [Point(1, 2), Point(3, 4), Point(5, 6)]


@dataclasses.dataclass
class One:
    v: int


def test_one_field_tables_of_classes_and_unknown_objects():
    back, data = round_trip([One(1), wire.UnknownObject("One", {"v": 2}), One(3)], {"One": One})
    assert data[0] == wire.TABLE and back == [One(1), One(2), One(3)]


def test_lists_that_are_not_tables_stay_rows():
    not_tables = [
        [],
        [Point(1, 2), Swapped(1, 2)],  # other type name
        [wire.UnknownObject("P", {"a": 1}), wire.UnknownObject("P", {"b": 1})],  # other field names
        [wire.UnknownObject("P", {"a": 1, "b": 2}), wire.UnknownObject("P", {"b": 2, "a": 1})],  # other order
        [wire.UnknownObject("P", {}), wire.UnknownObject("P", {})],  # no fields
        [Point(1, 2), None],
        [1, Point(1, 2)],
        [Colour.RED],
    ]
    for items in not_tables:
        data = encode(items)
        assert data[0] == wire.LIST, items
        assert encode(decode_both(data)) == data
    assert encode((Point(1, 2),))[0] == wire.TUPLE, "only lists are tables"


class Points(list):
    pass


def test_tables_nest_and_sit_inside_other_containers():
    value = {
        "groups": [Group("a", [Point(1, 2), Point(3, 4)]), Group("b", [])],
        "pair": ([Point(5, 6)], Points([Point(7, 8)])),
    }
    data = encode(value)
    back = decode_both(data)
    assert back == {"groups": value["groups"], "pair": ([Point(5, 6)], [Point(7, 8)])}
    assert data.count(b"\x0f\x00\x00\x00\x05Point") == 3 and data.count(b"\x0f\x00\x00\x00\x05Group") == 1


def test_each_column_gets_the_first_kind_that_holds_every_cell():
    assert column_kind([1, -(2**63), 2**63 - 1]) == tables.INT
    assert column_kind([0.5, math.inf]) == tables.FLOAT
    assert column_kind([True, False]) == tables.BOOL
    assert column_kind(["", "é"]) == tables.STR_JOINED
    assert column_kind(["a\x00b", "c"]) == tables.STR, "a str holding NUL: by lengths"
    assert column_kind([1, True]) == tables.VALUES, "a bool is not an int"
    assert column_kind([1, 2.0]) == tables.VALUES
    assert column_kind([1, None]) == tables.VALUES
    assert column_kind([Level.LOW, Colour.RED, Code.A]) == tables.VALUES, "enums are enums"
    assert column_kind([Count(3), 4]) == tables.INT, "subclasses travel as their base"
    assert column_kind([Label("x"), "y"]) == tables.STR_JOINED
    assert column_kind([Ratio(0.5)]) == tables.FLOAT
    assert column_kind([Count(3), Label("x")]) == tables.VALUES


def test_mixed_columns_round_trip_as_values():
    cells = [1, None, "two", 3.0, True, b"\x00", [Point(1, 1)], {"k": (1, 2)}, Colour.RED, Level.LOW]
    data = encode([wire.UnknownObject("T", {"a": cell, "n": i}) for i, cell in enumerate(cells)])
    assert data[0] == wire.TABLE
    back = decode_both(data)
    got = [row.a for row in back]
    assert got[:8] == cells[:8] and got[8] is Colour.RED and got[9] == 1  # Level is not registered: its value
    assert [type(row.n) for row in back] == [int] * len(cells)


def test_floats_keep_their_bits():
    nan = struct.unpack(">d", bytes.fromhex("7ff8000000000123"))[0]
    cells = [nan, -0.0, 0.0, math.inf, -math.inf, 5e-324]
    back, _ = round_trip([wire.UnknownObject("T", {"f": cell}) for cell in cells])
    assert [struct.pack(">d", row.f) for row in back] == [struct.pack(">d", c) for c in cells]


def test_strings_ascii_unicode_and_empty():
    for words in (["a", "", "bc"], ["", ""], ["é", "", "😀x", "a\x00b"], ["abc", "ü"]):
        back, data = round_trip([wire.UnknownObject("T", {"s": w}) for w in words])
        assert [row.s for row in back] == words
        assert data[19] == (tables.STR if any("\x00" in w for w in words) else tables.STR_JOINED)


def test_joined_str_columns_hold_any_string_but_nul_and_decode_back():
    words = ["", "a", "é", "😀", "", "x" * 1000, "tab\tnewline\n"]
    back, data = round_trip([wire.UnknownObject("T", {"s": w}) for w in words])
    assert [row.s for row in back] == words and data[19] == tables.STR_JOINED
    joined = "\x00".join(words).encode()
    assert data[20:24] == struct.pack(">I", len(joined)) and data[24:] == joined
    back, data = round_trip([wire.UnknownObject("T", {"s": w}) for w in [""]])
    assert [row.s for row in back] == [""] and data[19:] == b"\x06\x00\x00\x00\x00", "one empty string: no bytes"


def test_the_encoder_refuses_what_the_row_form_refuses():
    with pytest.raises(OverflowError, match=r"int 9223372036854775808 does not fit"):
        encode([Point(1, 2), Point(2**63, 0)])
    with pytest.raises(OverflowError, match=r"int -9223372036854775809 does not fit"):
        encode([Point(-(2**63) - 1, 0)])
    with pytest.raises(wire.WireError, match="not valid Unicode"):
        encode([Record(1, "ok", 1.0, True, "\ud800")])
    with pytest.raises(wire.WireError, match="not valid Unicode"):
        encode([Record(1, "\ud800", 1.0, True, None)])
    with pytest.raises(TypeError, match="cannot send a builtins.object"):
        encode([Record(1, "a", 1.0, True, object())])


def nest(value, levels):
    for _ in range(levels):
        value = [value]
    return value


def test_a_table_at_depth_99_is_too_deep():
    encode(nest([Point(1, 2)], 98))  # objects at depth 99, cells at 100: fine
    with pytest.raises(wire.WireError, match="deeper than 100"):
        encode(nest([Point(1, 2)], 99))
    assert decode_both(encode(nest([Point(1, 2)], 98)))
    empty_table = b"\x0f\x00\x00\x00\x01T\x00\x00\x00\x01\x00\x00\x00\x01a\x00\x00\x00\x00\x03"
    nested = lambda n: b"\x07\x00\x00\x00\x01" * n + empty_table  # noqa: E731
    assert decode_both(nested(98)) == nest([], 98)
    for decode in (fastdecoder.decode_at, lambda d, p, t: decoder.decode(d, p, t, 0)):
        with pytest.raises(wire.WireError, match="^value nested deeper than 100 containers$"):
            decode(nested(99), 0, TYPES)


def table(*columns, rows=1, name=b"T", fields=(b"a",)):
    """A table's bytes: `columns` are each a kind byte and its payload."""
    head = b"\x0f" + struct.pack(">I", len(name)) + name + struct.pack(">I", len(fields))
    head += b"".join(struct.pack(">I", len(f)) + f for f in fields)
    return head + struct.pack(">I", rows) + b"".join(columns)


@pytest.mark.parametrize("data, message", [
    (table(rows=0, fields=()), "table 'T' has no fields; a table has at least one"),
    (table(b"\x07\x00", rows=1), "unknown table column kind 0x07 (field 'a')"),
    (table(b"\x02\x00", rows=1), "unknown table column kind 0x02 (field 'a')"),
    (table(b"\x01\x01\x02\x00", rows=3), "table column 'a', row 1: bool byte 0x02 is neither 0 nor 1"),
    (table(b"\x03" + b"\x00" * 8, rows=2), "truncated table column 'a': needs 16 bytes but only 8 remain"),
    (table(b"\x04" + b"\x00" * 12, rows=2), "truncated table column 'a': needs 16 bytes but only 12 remain"),
    (table(b"\x05\x00\x00\x00\x02\x00\x00", rows=2), "truncated table column 'a': needs 8 bytes but only 6 remain"),
    (table(b"\x05\x00\x00\x00\x05abc", rows=1),
     "truncated table column 'a': its strings need 5 bytes but only 3 remain"),
    (table(b"\x05\x00\x00\x00\x01\x00\x00\x00\x01\xc3\xa9", rows=2),
     "table column 'a', row 0: str is not valid UTF-8: b'\\xc3'"),
    (table(b"\x05\x00\x00\x00\x01\x00\x00\x00\x02a\xff\xfe", rows=2),
     "table column 'a', row 1: str is not valid UTF-8: b'\\xff\\xfe'"),
    (table(b"\x06\x00\x00\x00\x01a", rows=2),
     "table column 'a': a joined str column holds 1 strings where the table has 2 rows"),
    (table(b"\x06\x00\x00\x00\x05a\x00b\x00c", rows=2),
     "table column 'a': a joined str column holds 3 strings where the table has 2 rows"),
    (table(b"\x06\x00\x00\x00\x00", rows=2),
     "table column 'a': a joined str column holds 1 strings where the table has 2 rows"),
    (table(b"\x06\x00\x00\x00\x01a", rows=0),
     "table column 'a': a joined str column holds 1 strings where the table has 0 rows"),
    (table(b"\x06\x00\x00\x00\x03a\x00\xff", rows=2),
     "table column 'a', row 1: str is not valid UTF-8: b'\\xff'"),
    (table(b"\x06\x00\x00\x00\x05a", rows=1),
     "truncated table column 'a': its strings need 5 bytes but only 1 remain"),
    (table(b"\x06\x00\x00", rows=1),
     "truncated table column 'a': its length needs 4 bytes but only 2 remain"),
    (table(b"\x03", rows=0xFFFFFFFF), "table row count 4294967295 cannot fit in the 1 bytes left"),
    (table(b"\x03" * 5, rows=3, fields=(b"a", b"b")), "table row count 3 cannot fit in the 5 bytes left"),
    (b"\x0f\x00\x00\x00\x01T\xff\xff\xff\xff\x00", "table field count 4294967295 cannot fit in the 1 bytes left"),
    (table(b"\x03" + b"\x00" * 8, fields=(b"\xff",)), "table field name is not valid UTF-8: b'\\xff'"),
    (table(b"\x00\x42"), "unknown value tag 0x42"),
])
def test_malformed_tables_are_named(data, message):
    for decode in (lambda d: wire.decode_value(d, 0, TYPES), lambda d: wire.decode_value(memoryview(d), 0, TYPES)):
        with pytest.raises(wire.WireError) as e:
            value, end = decode(data)
            assert end == len(data)
        assert str(e.value) == message


def test_rows_that_do_not_fit_the_class_are_named():
    data = encode([wire.UnknownObject("Point", {"x": 1, "z": 2})])
    with pytest.raises(wire.WireError, match=r"cannot rebuild Point from fields \['x', 'z'\]"):
        decode_both(data)

    @dataclasses.dataclass
    class Strict:
        x: int

        def __post_init__(self):
            if self.x < 0:
                raise TypeError("x must not be negative")

    data = encode([Strict(1), wire.UnknownObject("Strict", {"x": -1})])
    for decode in (fastdecoder.decode_at, lambda d, p, t: decoder.decode(d, p, t, 0)):
        with pytest.raises(wire.WireError, match=r"cannot rebuild Strict from fields \['x'\]: x must not be negative"):
            decode(data, 0, {"Strict": Strict})


def test_classes_whose_init_takes_other_parameters_get_keywords():
    class Keywords:
        def __init__(self, *, x, y):
            self.x, self.y = x, y

    class Reordered:
        def __init__(self, y, x):
            self.x, self.y = x, y

    classes = [Keywords, Reordered, Point]
    if sys.version_info >= (3, 10):
        classes.append(dataclasses.make_dataclass("KwOnly", [("x", int), ("y", int)], kw_only=True))
    data = encode([Point(1, 2), Point(3, 4)])
    for cls in classes:
        back = fastdecoder.decode_at(data, 0, {"Point": cls})[0]
        assert [(p.x, p.y) for p in back] == [(1, 2), (3, 4)] and type(back[0]) is cls


def test_damaged_tables_decode_alike_or_fail_alike():
    import random

    rng = random.Random(11)
    data = encode([Record(i, "n%d" % i, i / 3, i % 2 == 0, None if i % 3 else "é") for i in range(20)])
    for _ in range(2000):
        broken = bytearray(data)
        for _ in range(rng.randrange(1, 3)):
            broken[rng.randrange(len(broken))] = rng.randrange(256)
        broken = bytes(broken[: rng.randrange(len(broken) // 2, len(broken) + 1)])
        outcomes = []
        for decode in (lambda d: wire.decode_value(d, 0, TYPES), lambda d: wire.decode_value(memoryview(d), 0, TYPES)):
            try:
                outcomes.append(("ok", repr(decode(broken))))
            except wire.WireError as e:
                outcomes.append(("raised", str(e)))
        assert outcomes[0] == outcomes[1], outcomes


@dataclasses.dataclass
class Watched:
    """Notes whether the garbage collector was on when each instance was built."""
    n: int

    def __post_init__(self):
        SEEN.append(gc.isenabled())


SEEN: List[bool] = []


def test_big_tables_are_built_with_the_collector_held_off():
    data = encode([Watched(i) for i in range(tables._PAUSE_ROWS)])
    small = encode([Watched(i) for i in range(3)])
    SEEN.clear()
    assert len(decode_both(data, {"Watched": Watched})) == tables._PAUSE_ROWS
    assert SEEN == [False] * (2 * tables._PAUSE_ROWS) and gc.isenabled(), "off while building, on again after"
    SEEN.clear()
    decode_both(small, {"Watched": Watched})
    assert SEEN == [True] * 6, "a small table is not worth a pause"
    gc.disable()  # an application's own choice is kept
    try:
        decode_both(data, {"Watched": Watched})
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(wire.WireError):  # a failed build switches the collector back on too
        decode_both(data.replace(b"Watched", b"Watches"), {"Watches": Swapped})
    assert gc.isenabled()
