"""The scalars real code uses (Decimal, UUID, timedelta, time, aware
datetimes) and no silent Any, on the real gg: over HTTP, and through the
grafts of tests/e2e/fixtures/realcode/money.py installed with real pip, in
both modes. One caller suite runs in-process and remote; the transcripts
must be equal (test_parity.py compares them), and right (here).
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gateway import Gateway, request
from test_objects_tcp import Client
from typecheck import mypy_strict

REALCODE = Path(__file__).parent / "fixtures" / "realcode"
GRAFTS = ["graft-pypi-catalog", "graft-pypi-rooms", "graft-pypi-ledger"]


@pytest.fixture(scope="module")
def money(tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib")
    with Gateway("--modules", str(REALCODE / "money.py"), tcp=True) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", *GRAFTS],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        yield gg, lib


def run_caller(lib, host):
    env = dict(os.environ, GRAFT_CONFIG="host=%s;runtime=python;modules=%s" % (host, REALCODE), PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, str(REALCODE / "money_caller.py")], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def call(gg, service, method, args):
    r = gg.call(service, method, args)
    return r.status, r.json()


def test_decimal_is_exact_over_http(money):
    gg, _ = money
    assert call(gg, "Catalog", "double", {"x": "1.5"}) == (200, "3.0")  # the bug answered "1.51.5"
    assert call(gg, "Catalog", "add", {"a": "0.1", "b": "0.2"}) == (200, "0.3")
    assert call(gg, "Catalog", "add", {"a": 0.1, "b": "0.20"}) == (200, "0.30")  # a JSON number, by its text
    total = {"prices": [{"sku": "a", "amount": "10.00"}, {"sku": "b", "amount": "5.55"}]}
    assert call(gg, "Catalog", "total", total) == (200, "18.66")
    assert call(gg, "Catalog", "price", {"sku": "x"}) == (200, {"sku": "x", "amount": "19.90", "currency": "EUR"})
    status, body = call(gg, "Catalog", "double", {"x": "1.5 euros"})
    assert status == 400 and body["error"]["message"].endswith('x: expected Decimal, got "1.5 euros"'), body


def test_uuid_timedelta_time_and_aware_datetimes_over_http(money):
    gg, _ = money
    room = str(uuid.uuid5(uuid.NAMESPACE_URL, "blue"))
    assert call(gg, "Rooms", "room_id", {"name": "blue"}) == (200, room)
    assert call(gg, "Rooms", "describe_id", {"room": room.upper()}) == (200, "%s v5" % room)
    assert call(gg, "Rooms", "extend", {"length": "PT1H", "by": "-PT1H30M"}) == (200, "-PT30M")
    assert call(gg, "Rooms", "extend", {"length": 3600, "by": "P1D"}) == (200, "P1DT1H")
    assert call(gg, "Rooms", "hours", {"length": "P1DT30M"}) == (200, 24.5)
    assert call(gg, "Rooms", "opens", {"weekday": 1}) == (200, "09:30:00")
    assert call(gg, "Rooms", "opens", {"weekday": 6}) == (200, "10:00:00.250000+01:00")
    assert call(gg, "Rooms", "later", {"at": "23:45:00+05:30", "minutes": 30}) == (200, "00:15:00+05:30")
    shifted = call(gg, "Rooms", "shift", {"when": "2026-03-28T23:00:00+01:00", "by": "PT2H"})
    assert shifted == (200, "2026-03-29T01:00:00+01:00")
    # A zero offset is written as pydantic v2 writes it in JSON mode: Z.
    assert call(gg, "Rooms", "shift", {"when": "2026-03-28T23:00:00Z", "by": "PT0S"}) == (200, "2026-03-28T23:00:00Z")
    assert call(gg, "Rooms", "later", {"at": "23:45:00+00:00", "minutes": 30}) == (200, "00:15:00Z")
    assert call(gg, "Rooms", "offset_hours", {"when": "2026-01-01T00:00:00-05:30"}) == (200, -5.5)
    assert call(gg, "Rooms", "offset_hours", {"when": "2026-01-01T00:00:00"}) == (200, None)
    status, body = call(gg, "Rooms", "extend", {"length": "an hour", "by": "PT1H"})
    assert status == 400 and body["error"]["param"] == "length", body


def test_a_type_graft_cannot_carry_makes_the_method_unavailable(money):
    gg, lib = money
    status, body = call(gg, "Ledger", "audit", {"entry": {}})
    assert status == 404, body
    assert body["error"]["message"] == (
        "`Ledger.audit` is unavailable: parameter `entry`: type `money.Opaque` has no Graft form"), body
    status, body = call(gg, "Ledger", "make", {})
    assert status == 404 and "the return: type `money.Opaque` has no Graft form" in body["error"]["message"], body
    warnings = [line.strip() for line in gg.output().splitlines() if "unavailable" in line]
    assert warnings == [
        "WARN Ledger.audit is unavailable: parameter `entry`: type `money.Opaque` has no Graft form",
        "WARN Ledger.make is unavailable: the return: type `money.Opaque` has no Graft form",
    ], gg.output()
    assert "treated as Any" not in gg.output()
    methods = {m["name"]: m for m in request(gg.web + "/libraries").json()["services"][2]["methods"]}
    assert methods["audit"]["unavailable"] == "parameter `entry`: type `money.Opaque` has no Graft form"
    assert "unavailable" not in methods["kind"] and methods["kind"]["params"][0]["type"] == {"kind": "any"}
    paths = request(gg.web + "/openapi.json").json()["paths"]
    assert "/call/Ledger/kind" in paths and "/call/Ledger/audit" not in paths and "/call/Ledger/make" not in paths
    source = (lib / "graft_pypi_ledger" / "__init__.py").read_text()
    assert "def kind(" in source and "def audit(" not in source and "def make(" not in source
    assert call(gg, "Ledger", "kind", {"value": 5}) == (200, "int")  # unannotated: Any


def test_a_returned_value_that_does_not_fit_is_an_error_not_a_wrong_answer(money):
    gg, _ = money
    status, body = call(gg, "Ledger", "count", {"n": 5})
    assert status == 500 and body["error"]["type"] == "TypeError", body
    assert body["error"]["message"] == "Ledger.count returned a value of type str where its annotation says int"
    status, body = call(gg, "Ledger", "rate", {})
    assert status == 500 and "type float where its annotation says Decimal" in body["error"]["message"], body


def test_a_version_5_client_is_told_the_version_the_scalars_need(money):
    gg, _ = money
    old = Client(gg.tcp_port, version=5)
    message = old.call("Catalog", "double", "1.5").raised.message
    assert "Catalog.double" in message and "version 6" in message and "version 5" in message, message
    assert old.call("Ledger", "kind", 5) == "int"  # a method without them answers as before
    old.close()


def dec(text):
    return {"type": "decimal.Decimal", "str": text}


def test_the_suite_sees_the_right_values(money):
    """Equal is not enough: both modes must also be right."""
    gg, lib = money
    for host in ("inMemory", "127.0.0.1:%d" % gg.tcp_port):
        r = run_caller(lib, host)
        got = {name: entry["returned"] if "returned" in entry else entry for name, entry in r.items()}
        assert got["double"] == dec("3.0"), host
        assert got["exact sum"] == dec("0.3"), host
        assert got["trailing zeros"] == dec("3.30"), host
        assert got["int for a Decimal"] == dec("4"), host
        assert got["total"] == dec("18.66") and got["total with tax"] == dec("0.11"), host
        price = got["price"]
        assert price["type"] == "graft_pypi_catalog.Price" and price["fields"]["amount"] == dec("19.90"), host
        assert got["cheapest"]["fields"]["amount"] == dec("1.999"), host
        assert got["union Decimal"]["value"] == "Decimal:2.50" and got["union str"]["value"] == "str:2.50", host
        assert got["room id"]["type"] == "uuid.UUID" and got["describe id"]["value"].endswith(" v4"), host
        assert got["extend"] == {"type": "datetime.timedelta", "fields": [-1, 84600, 0]}, host
        assert got["extend exact"] == {"type": "datetime.timedelta", "fields": [397, 1, 7]}, host
        assert got["hours"] == {"type": "builtins.float", "repr": "24.5"}, host
        assert got["opens weekday"] == {"type": "datetime.time", "iso": "09:30:00", "offset": None}, host
        assert got["opens weekend"] == {"type": "datetime.time", "iso": "10:00:00.250000+01:00", "offset": 3600.0}
        assert got["later aware"]["iso"] == "00:15:00+05:30" and got["later naive"]["iso"] == "08:01:00.000001"
        assert got["shift aware"] == {"type": "datetime.datetime", "iso": "2026-03-29T01:00:00+01:00", "offset": 3600.0}
        assert got["shift naive"]["iso"] == "2026-01-01T12:00:01.500000" and got["shift naive"]["offset"] is None
        assert got["offset aware"]["repr"] == "5.5" and got["offset utc"]["repr"] == "0.0"
        assert got["offset naive"] == {"type": "builtins.NoneType", "value": None}
        booking = got["book"]["fields"]
        assert got["book"]["type"] == "graft_pypi_rooms.Booking" and booking["deposit"] == dec("50.00"), host
        assert booking["length"]["fields"] == [0, 7200, 0] and booking["opens"]["iso"] == "10:00:00.250000+01:00"
        assert booking["starts"]["iso"] == "2026-03-28T23:00:00+01:00" and booking["id"] == got["room id"]
        assert got["ends"]["iso"] == "2026-03-28T23:45:00+01:00", host
        assert got["untyped"]["value"] == "Decimal" and got["untyped uuid"]["value"] == "UUID", host
        assert got["left off the graft"] == ["audit", "make"], host
        assert got["a str for an int"] == {
            "raised": "builtins.TypeError",
            "str": "Ledger.count returned a value of type str where its annotation says int"}, host
        assert got["a float for a Decimal"]["str"] == (
            "Ledger.rate returned a value of type float where its annotation says Decimal"), host
        inside = {name: got[name].get("raised") and got[name]["str"] for name in MISFITS_INSIDE}
        assert inside == MISFITS_INSIDE, host
        assert [p["fields"]["amount"] for p in got["records that fit"]["items"]] == [dec("0"), dec("1"), dec("2")]
        refused = {name: got[name].get("raised") and got[name]["str"] for name in REFUSED_ARGUMENTS}
        assert refused == REFUSED_ARGUMENTS, host
        assert got["a Literal union takes its value"]["value"] == "label:net" and got["a Literal union takes an int"][
            "value"] == "label:3" and got["a dict key in its Literal"]["value"] == 3, host


# Arguments a gateway refuses, and an in-process call as well (a TypeError, the same text).
REFUSED_ARGUMENTS = {
    "a str for a Decimal": 'argument `x` has the wrong type: x: expected Decimal, got "1.5"',
    "a str in a record argument": 'argument `prices` has the wrong type: prices[1].amount: expected Decimal, got "2"',
    "a Literal union refuses": (
        "argument `kind` has the wrong type: kind: expected Union[Literal['net', 'gross'], int], got \"tare\""),
    "a dict key outside its Literal": (
        "argument `counts` has the wrong type: counts key: expected Literal['a', 'b'], got \"c\""),
}


# What a value that does not fit its return type inside a container or a record answers, in both modes.
MISFITS_INSIDE = {
    "a float in a list[Decimal]": "Ledger.rates returned a value of type float at returns[2] where its annotation says Decimal",
    "a float in a record": "Ledger.prices returned a value of type float at returns[1].amount where its annotation says Decimal",
    "a float in a long list of records": (
        "Ledger.prices returned a value of type float at returns[2600].amount where its annotation says Decimal"),
    "a float in the first part": (
        "Ledger.prices returned a value of type float at returns[7].amount where its annotation says Decimal"),
    "a float in a dict": 'Ledger.by_name returned a value of type float at returns["b"] where its annotation says Decimal',
    "a str in an Optional record": (
        "Ledger.maybe_price returned a value of type str at returns.amount where its annotation says Decimal"),
    "a str in a tuple": "Ledger.pair returned a value of type str at returns[1] where its annotation says Decimal",
}


def test_a_misfit_inside_a_returned_value_is_named_over_http(money):
    gg, _ = money
    for method, args, name in [("rates", {}, "a float in a list[Decimal]"), ("prices", {"n": 3, "bad": 1}, "a float in a record"),
                               ("prices", {"n": 6000, "bad": 2600}, "a float in a long list of records"),
                               ("by_name", {}, "a float in a dict")]:
        status, body = call(gg, "Ledger", method, args)
        assert status == 500 and body["error"]["type"] == "TypeError", body
        assert body["error"]["message"] == MISFITS_INSIDE[name]
    status, body = call(gg, "Ledger", "good_prices", {"n": 6000})
    assert status == 200 and len(body) == 6000 and body[5999]["amount"] == "5999", status


MYPY_CORRECT = """
    import datetime as dt
    import uuid
    from decimal import Decimal
    from typing import Optional

    from graft_pypi_catalog import Catalog, Price
    from graft_pypi_rooms import Booking, Rooms


    async def main() -> str:
        doubled: Decimal = await Catalog.double(Decimal("1.5"))
        total: Decimal = await Catalog.total([Price("a", Decimal("1"))], tax_rate=Decimal("0.1"))
        room: uuid.UUID = await Rooms.room_id("blue")
        longer: dt.timedelta = await Rooms.extend(dt.timedelta(hours=1), dt.timedelta(minutes=5))
        opens: dt.time = await Rooms.opens(1)
        when: dt.datetime = await Rooms.shift(dt.datetime.now(dt.timezone.utc), longer)
        booking: Booking = await Rooms.book("blue", when, longer)
        offset: Optional[float] = await Rooms.offset_hours(booking.starts)
        return "%s %s %s %s %s %s" % (doubled + total, room.hex, opens.isoformat(), booking.deposit, offset, when)
"""

MYPY_WRONG = """
    import datetime as dt
    from decimal import Decimal

    from graft_pypi_catalog import Catalog
    from graft_pypi_rooms import Rooms


    async def main() -> None:
        await Catalog.double(1.5)
        await Rooms.extend(3600, dt.timedelta(0))
        text: str = await Rooms.room_id("blue")
        when: dt.time = await Rooms.shift(dt.datetime.now(), dt.timedelta(0))
"""


def test_mypy_strict_accepts_the_scalar_types(money, tmp_path):
    _, lib = money
    out = mypy_strict(lib, tmp_path, MYPY_CORRECT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_rejects_wrong_scalars(money, tmp_path):
    _, lib = money
    out = mypy_strict(lib, tmp_path, MYPY_WRONG)
    lines = out.stdout
    assert out.returncode == 1, lines + out.stderr
    assert ':9: error: Argument 1 to "double" of "Catalog" has incompatible type "float"; expected "Decimal"' in lines
    assert ':10: error: Argument 1 to "extend" of "Rooms" has incompatible type "int"; expected "timedelta"' in lines
    assert ':11: error: Incompatible types in assignment (expression has type "UUID", variable has type "str")' in lines
    assert ':12: error: Incompatible types in assignment (expression has type "datetime", variable has type "time")' in lines
    assert "Found 4 errors" in lines, lines
