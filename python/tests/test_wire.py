"""graft_runtime.wire against the protocol test vectors and Python objects."""

import dataclasses
import datetime as dt
import decimal
import enum
import json
import math
import struct
import sys
import uuid
from typing import Optional
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from graft_runtime import wire  # noqa: E402
import server_frames  # noqa: E402

VECTORS = Path(__file__).resolve().parents[2] / "docs" / "protocol-vectors"
MANIFEST = json.loads((VECTORS / "vectors.json").read_text())


@dataclasses.dataclass
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Line:
    start: Point
    end: Point


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 3


TYPES = {"Point": Point, "Line": Line, "Color": Color, "Priority": Priority}


def expected(desc, types):
    """The Python object a vector's JSON description stands for."""
    kind = desc["type"]
    if kind == "none":
        return None
    if kind in ("bool", "str"):
        return desc["value"]
    if kind == "int":
        return int(desc["value"])
    if kind == "float":
        return struct.unpack(">d", bytes.fromhex(desc["bits"]))[0]
    if kind == "bytes":
        return bytes.fromhex(desc["hex"])
    if kind in ("list", "tuple", "set"):
        items = [expected(item, types) for item in desc["items"]]
        return {"list": list, "tuple": tuple, "set": set}[kind](items)
    if kind == "dict":
        return {expected(k, types): expected(v, types) for k, v in desc["items"]}
    if kind == "object":
        fields = {name: expected(v, types) for name, v in desc["fields"]}
        cls = types.get(desc["name"])
        return cls(**fields) if cls else wire.UnknownObject(desc["name"], fields)
    if kind == "enum":
        value = expected(desc["value"], types)
        cls = types.get(desc["name"])
        return cls(value) if cls else value
    if kind == "datetime":
        return dt.datetime.fromisoformat(desc["value"])
    if kind == "date":
        return dt.date.fromisoformat(desc["value"])
    if kind == "decimal":
        return decimal.Decimal(desc["value"])
    if kind == "uuid":
        return uuid.UUID(hex=desc["hex"])
    if kind == "timedelta":
        return dt.timedelta(days=desc["days"], seconds=desc["seconds"], microseconds=desc["microseconds"])
    if kind == "time":
        return dt.time.fromisoformat(desc["value"])
    if kind == "object_ref":
        return wire.ObjectRef(desc["service"], desc["id"])
    raise AssertionError("unknown description %r" % kind)


def same(a, b):
    """Equality that also holds for NaN (bitwise) and tells -0.0 from 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack(">d", a) == struct.pack(">d", b)
    if isinstance(a, decimal.Decimal):
        return str(a) == str(b)  # exactly, and NaN too
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


def vectors(kind, expect):
    return [v for v in MANIFEST["vectors"] if v["kind"] == kind and v["expect"] == expect]


def ids(vs):
    return [v["file"] for v in vs]


def read(v):
    return (VECTORS / v["file"]).read_bytes()


def encode(obj):
    buf = bytearray()
    wire.encode_value(obj, buf)
    return bytes(buf)


def test_every_vector_file_is_in_the_manifest():
    on_disk = sorted(p.name for p in VECTORS.glob("*.bin"))
    assert on_disk == sorted(v["file"] for v in MANIFEST["vectors"])
    assert len(vectors("value", "decode")) >= 30 and len(vectors("value", "reject")) >= 8


@pytest.mark.parametrize("types", [TYPES, {}], ids=["typed", "untyped"])
@pytest.mark.parametrize("vector", vectors("value", "decode"), ids=ids(vectors("value", "decode")))
def test_value_vectors_decode_and_encode_back(vector, types):
    data = read(vector)
    value, end = wire.decode_value(data, 0, types)
    assert end == len(data)
    assert same(value, expected(vector["value"], types)), vector["note"]
    if types or '"enum"' not in json.dumps(vector["value"]):
        assert encode(value) == data  # an untyped enum decodes to its bare value


@pytest.mark.parametrize("vector", vectors("value", "reject"), ids=ids(vectors("value", "reject")))
def test_value_vectors_that_must_be_rejected(vector):
    data = read(vector)
    with pytest.raises(wire.WireError) as raised:
        value, end = wire.decode_value(data, 0, TYPES)
        if end != len(data):
            raise wire.WireError("%d trailing bytes" % (len(data) - end))
    assert str(raised.value), "the error says what is wrong"


def test_reject_messages_name_the_problem():
    def error(name):
        with pytest.raises(wire.WireError) as e:
            wire.decode_value(read({"file": "value-reject-%s.bin" % name}), 0, TYPES)
        return str(e.value)

    assert error("bad-tag") == "unknown value tag 0x42"
    assert error("oversize-count") == "list count 4294967295 cannot fit in the 1 bytes left"
    assert error("depth-bomb") == "value nested deeper than 100 containers"
    assert error("bad-utf8") == "str is not valid UTF-8: b'\\xc3('"
    assert "truncated" in error("truncated-int")
    assert error("truncated-str") == "truncated str: needs 10 bytes but only 3 remain"


def frame_as_json(frame):
    """A decoded frame in the manifest's description form."""
    value = lambda v: v  # noqa: E731  (values are compared as Python objects)
    name = {
        wire.CallFrame: "call", wire.CallPartFrame: "call_part", wire.ReplyFrame: "reply", wire.ReplyPartFrame: "reply_part", wire.ErrorFrame: "error",
        wire.PingFrame: "ping", wire.PongFrame: "pong", wire.GoodbyeFrame: "goodbye",
        wire.ProtocolErrorFrame: "protocol_error", wire.ItemsFrame: "items", wire.CreditFrame: "credit",
        wire.CancelFrame: "cancel",
    }[type(frame)]
    out = {"frame": name, "id": str(frame.request_id)}
    if name == "call":
        out.update(service=frame.service, method=frame.method, object=frame.object, timeout_ms=frame.timeout_ms,
                   metadata=[list(entry) for entry in frame.metadata],
                   args=frame.args, kwargs=list(frame.kwargs.items()))
    elif name == "credit":
        out["bytes"] = frame.bytes
    elif name in ("reply", "reply_part", "items"):
        out["value"] = value(frame.value)
    elif name == "call_part":
        out.update(service=frame.service, method=frame.method, argument=frame.argument, value=value(frame.value))
    elif name == "error":
        r = frame.raised
        out.update(status=frame.status, type_name=r.type_name, module=r.module, message=r.message,
                   args=r.args, fields=list(r.fields.items()), traceback=r.traceback)
    elif name == "goodbye":
        out["reason"] = frame.reason
    elif name == "protocol_error":
        out.update(code=frame.code, message=frame.message)
    return out


def expected_frame(desc):
    out = dict(desc)
    if "value" in out:
        out["value"] = expected(out["value"], TYPES)
    for key in ("args",):
        if key in out:
            out[key] = [expected(v, TYPES) for v in out[key]]
    for key in ("kwargs", "fields"):
        if key in out:
            out[key] = [(n, expected(v, TYPES)) for n, v in out[key]]
    return out


def decoded_frames():
    """The frames the client decodes: all but the Auth frame, which it only sends."""
    return [v for v in vectors("frame", "decode") if v["frame"]["frame"] != "auth"]


def test_the_auth_vector_is_the_frame_the_client_sends():
    auth, = [v for v in vectors("frame", "decode") if v["frame"]["frame"] == "auth"]
    assert auth["frame"]["id"] == "0"
    assert bytes(wire.encode_auth(auth["frame"]["token"])) == read(auth)


@pytest.mark.parametrize("vector", decoded_frames(), ids=ids(decoded_frames()))
def test_frame_vectors_decode_and_encode_back(vector):
    data = read(vector)
    frame = wire.decode_frame(data, TYPES)
    assert frame_as_json(frame) == expected_frame(vector["frame"])
    if isinstance(frame, wire.CallFrame):
        again = wire.encode_call(frame.request_id, frame.service, frame.method, frame.args,
                                 frame.kwargs, frame.timeout_ms, obj=frame.object, metadata=frame.metadata)
    elif isinstance(frame, wire.ReplyFrame):
        again = server_frames.encode_reply(frame.request_id, frame.value)
    elif isinstance(frame, wire.ReplyPartFrame):
        again = server_frames.encode_reply_part(frame.request_id, frame.value)
    elif isinstance(frame, wire.ItemsFrame):
        again = server_frames.encode_items(frame.request_id, frame.value)
    elif isinstance(frame, wire.CreditFrame):
        again = wire.encode_credit(frame.request_id, frame.bytes)
    elif isinstance(frame, wire.CancelFrame):
        again = wire.encode_cancel(frame.request_id)
    elif isinstance(frame, wire.CallPartFrame):
        again = wire.encode_call_part(frame.request_id, frame.service, frame.method, frame.argument, frame.value)
    elif isinstance(frame, wire.ErrorFrame):
        again = server_frames.encode_error(frame.request_id, frame.status, frame.raised)
    elif isinstance(frame, wire.PingFrame):
        again = wire.encode_ping(frame.request_id)
    elif isinstance(frame, wire.PongFrame):
        again = wire.encode_pong(frame.request_id)
    elif isinstance(frame, wire.GoodbyeFrame):
        again = server_frames.encode_goodbye(frame.reason)
    else:
        again = server_frames.encode_protocol_error(frame.request_id, frame.code, frame.message)
    assert bytes(again) == data


@pytest.mark.parametrize("vector", vectors("frame", "reject"), ids=ids(vectors("frame", "reject")))
def test_frame_vectors_that_must_be_rejected(vector):
    with pytest.raises(wire.WireError):
        wire.decode_frame(read(vector), TYPES)


def test_hello_vectors():
    for vector in vectors("hello", "decode"):
        data = read(vector)
        hello = wire.decode_hello(data)
        assert hello._asdict() == vector["hello"]
        assert wire.encode_hello(hello.max_frame_size, hello.heartbeat_ms, hello.version, hello.status) == data
    for vector in vectors("hello", "reject"):
        with pytest.raises(wire.WireError, match="bad hello magic"):
            wire.decode_hello(read(vector))


# ------------------------------------------------------------ Python objects

@dataclasses.dataclass(frozen=True)
class Frozen:
    name: str
    tags: frozenset = frozenset()


@dataclasses.dataclass
class WithLate:
    a: int
    b: int = dataclasses.field(init=False, default=0)


def round_trip(obj, types=TYPES):
    data = encode(obj)
    value, end = wire.decode_value(data, 0, types)
    assert end == len(data)
    return value


def test_python_objects_round_trip_with_their_types():
    when = dt.datetime(2024, 2, 29, 13, 45, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    obj = {
        "ints": [0, -1, 2**63 - 1, -(2**63)],
        "floats": (0.1, -0.0, math.inf),
        "text": "héllo 😀",
        "raw": b"\x00\xff",
        "set": {1, 2},
        ("tuple", "key"): None,
        "line": Line(Point(1, 2), Point(3, 4)),
        "colors": [Color.RED, Priority.HIGH],
        "when": when,
        "naive": dt.datetime(2000, 1, 1),
        "day": dt.date(2024, 2, 29),
        "flags": [True, False],
    }
    back = round_trip(obj)
    assert back == obj
    assert type(back["line"].start) is Point and back["colors"][1] is Priority.HIGH
    assert back["when"].utcoffset() == dt.timedelta(hours=-5)
    assert type(back["day"]) is dt.date and type(back["naive"]) is dt.datetime
    assert [type(b) for b in back["flags"]] == [bool, bool]
    nan = round_trip(float("nan"))
    assert math.isnan(nan)
    assert math.copysign(1.0, round_trip(-0.0)) == -1.0


def test_bool_and_intenum_are_not_plain_ints():
    assert encode(True) == bytes([wire.TRUE])
    assert encode(Priority.HIGH)[0] == wire.ENUM
    assert round_trip(Priority.HIGH, {}) == 3


def test_subclasses_and_look_alikes_encode_as_their_base():
    import collections

    Pair = collections.namedtuple("Pair", "a b")
    assert round_trip(Pair(1, 2)) == (1, 2)
    assert round_trip(collections.OrderedDict(a=1)) == {"a": 1}
    assert round_trip(frozenset({1})) == {1}
    assert round_trip(bytearray(b"ab")) == b"ab"
    assert round_trip(memoryview(b"ab")) == b"ab"
    assert round_trip(Frozen("x", frozenset({"a"})), {"Frozen": Frozen}) == Frozen("x", {"a"})


def test_dataclass_fields_outside_init_are_restored():
    obj = WithLate(1)
    obj.b = 5
    back = round_trip(obj, {"WithLate": WithLate})
    assert (back.a, back.b) == (1, 5)


def test_unknown_types_decode_to_something_faithful():
    back = round_trip(Line(Point(1, 2), Point(3, 4)), {})
    assert isinstance(back, wire.UnknownObject) and back.type_name == "Line"
    assert back.start.x == 1 and back.end == wire.UnknownObject("Point", {"x": 3, "y": 4})
    assert encode(back) == encode(Line(Point(1, 2), Point(3, 4)))
    with pytest.raises(AttributeError, match="Line object has no field 'width'"):
        back.width
    assert round_trip(Color.GREEN, {}) == "green"


def test_encoding_refuses_what_the_wire_cannot_carry():
    with pytest.raises(OverflowError, match=r"int 9223372036854775808 does not fit .* 64-bit"):
        encode(2**63)
    with pytest.raises(OverflowError, match="int -9223372036854775809"):
        encode([-(2**63) - 1])
    with pytest.raises(TypeError, match="cannot send a builtins.object over the wire"):
        encode(object())
    with pytest.raises(wire.WireError, match="not valid Unicode"):
        encode("\ud800")
    deep = None
    for _ in range(101):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeper than 100"):
        encode(deep)
    encode(deep[0])  # 100 levels is fine


def test_values_python_cannot_hold_are_clear_errors():
    unhashable = bytes([wire.DICT, 0, 0, 0, 1, wire.LIST, 0, 0, 0, 0, wire.NONE])
    with pytest.raises(wire.WireError, match="dict key of type list is not hashable"):
        wire.decode_value(unhashable, 0, TYPES)
    with pytest.raises(wire.WireError, match="set item cannot be held"):
        wire.decode_value(bytes([wire.SET, 0, 0, 0, 1, wire.LIST, 0, 0, 0, 0]), 0, TYPES)
    data = encode(Color.RED).replace(b"red", b"blu")
    with pytest.raises(wire.WireError, match="enum Color has no member with value 'blu'"):
        wire.decode_value(data, 0, TYPES)
    data = encode(Point(1, 2)).replace(b"\x01y", b"\x01z")
    with pytest.raises(wire.WireError, match=r"cannot rebuild Point from fields \['x', 'z'\]"):
        wire.decode_value(data, 0, TYPES)
    with pytest.raises(wire.WireError, match="not in ISO 8601 form"):
        wire.decode_value(bytes([wire.DATE, 0, 0, 0, 3]) + b"bad", 0, TYPES)


def test_arbitrary_bytes_only_ever_raise_wire_error():
    import random

    rng = random.Random(1234)
    samples = [read(v) for v in MANIFEST["vectors"]]
    for i in range(20000):
        if i % 2:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        else:
            data = bytearray(rng.choice(samples))
            for _ in range(rng.randrange(1, 4)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data[: rng.randrange(len(data) + 1)])
        for decode in (lambda d: wire.decode_value(d, 0, TYPES), lambda d: wire.decode_frame(d, TYPES)):
            try:
                decode(data)
            except wire.WireError:
                pass


def test_frame_limits():
    with pytest.raises(wire.WireError, match="frame of 114 bytes exceeds the limit of 50 bytes"):
        server_frames.encode_reply(1, b"\x00" * 100, max_frame_size=50)
    with pytest.raises(wire.WireError, match="exceeds the limit of 1024"):
        wire.frame_length(b"\x00\x10\x00\x00\x01", 0, 1024)
    call = wire.encode_call(7, "S", "m", [1], {"k": "v"}, 250)
    for cut in range(len(call)):
        assert wire.frame_length(call[:cut]) == 0
    assert wire.frame_length(call + b"xx") == len(call)
    frame = wire.decode_frame(call)
    assert frame == wire.CallFrame(7, "S", "m", [1], {"k": "v"}, 250)


def test_a_call_frames_timeout_can_be_rewritten():
    call = wire.encode_call(7, "Sérvice", "method", [b"x" * 10], {}, 5000)
    wire.set_call_timeout(call, 1234)
    assert wire.decode_frame(call) == wire.CallFrame(7, "Sérvice", "method", [b"x" * 10], {}, 1234)


def test_a_call_frames_timeout_can_be_rewritten_after_its_metadata():
    metadata = (("x-user", "ada"), ("traceparent", "00-" + "1" * 32 + "-" + "2" * 16 + "-01"))
    call = wire.encode_call(7, "S", "m", [], {}, 5000, obj="o1", metadata=metadata)
    wire.set_call_timeout(call, 99)
    assert wire.decode_frame(call) == wire.CallFrame(7, "S", "m", [], {}, 99, "o1", metadata)


def test_the_fast_decoder_agrees_with_the_checking_one():
    """Every value decodes the same through `_decode_at` (fast, falling back) as through `_decode`."""
    import random

    @dataclasses.dataclass
    class Rec:
        id: int
        name: str
        value: float
        flag: bool
        note: Optional[str]

    rng = random.Random(7)
    values = [
        [Rec(i, "n%d" % i, i / 3, i % 2 == 0, None if i % 3 else "é") for i in range(50)],
        {"a": (1, 2.5, None, True, b"raw"), 3: [{1, 2}, [], {}]},
        [Rec(1, "x", 1.0, True, None), wire.UnknownObject("Rec", {"note": None, "flag": False, "value": 2.0, "name": "y", "id": 2}),
         wire.UnknownObject("Other", {"a": 1, "b": 2}), wire.UnknownObject("Other", {"b": 1, "a": 2})],
    ]
    types = {"Rec": Rec}
    for value in values:
        buf = bytearray()
        wire.encode_value(value, buf)
        data = bytes(buf)
        assert wire._decode_at(data, 0, types) == wire._decode(data, 0, types, 0)
        for _ in range(200):  # damaged copies: the same value or the same error either way
            broken = bytearray(data)
            broken[rng.randrange(len(broken))] = rng.randrange(256)
            outcomes = []
            for decode in (lambda d: wire._decode_at(d, 0, types), lambda d: wire._decode(d, 0, types, 0)):
                try:
                    outcomes.append(("ok", repr(decode(bytes(broken)))))
                except Exception as e:  # noqa: BLE001 - compared, not hidden
                    outcomes.append(("raised", type(e).__name__, str(e)))
            assert outcomes[0] == outcomes[1], outcomes


def test_a_graft_carries_no_server_side_encoders():
    """Only a server sends Reply, ReplyPart, Items, Error, Goodbye and ProtocolError
    frames: their encoders are test code (server_frames.py), not the runtime's."""
    runtime = (Path(wire.__file__).parent).glob("*.py")
    text = "\n".join(path.read_text() for path in runtime)
    for name in ("encode_reply", "encode_reply_part", "encode_items", "encode_error", "encode_goodbye",
                 "encode_protocol_error"):
        assert "def %s(" % name not in text, name
        assert hasattr(server_frames, name), name
