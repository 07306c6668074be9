"""Each bad input gets a clear error, and the gateway keeps serving: a good call follows each."""

import os
import threading
import time
from pathlib import Path

import pytest

from gateway import Gateway, request

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def gg():
    env = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
    with Gateway("--modules", str(FIXTURES / "svc"), args=["--callTimeout", "3"], env=env) as gateway:
        yield gateway


def still_serves(gg):
    good = gg.call("Inventory", "add", {"a": 2, "b": 3})
    assert (good.status, good.json()) == (200, 5)


def error_of(response, status):
    assert response.status == status, response.body
    return response.json()["error"]


def test_missing_argument(gg):
    err = error_of(gg.call("Inventory", "add", {"b": 1}), 400)
    assert err["param"] == "a" and "missing" in err["message"]
    still_serves(gg)


def test_unknown_argument(gg):
    err = error_of(gg.call("Inventory", "add", {"a": 1, "c": 2}), 400)
    assert err["param"] == "c" and "unknown argument `c`" in err["message"]
    still_serves(gg)


@pytest.mark.parametrize("value", ["2", 2.5, True, None, [2], {"n": 2}, 2**64])
def test_wrongly_typed_argument(gg, value):
    err = error_of(gg.call("Inventory", "add", {"a": value}), 400)
    assert err["type"] == "ArgumentError" and err["param"] == "a", err
    assert "expected int" in err["message"]
    still_serves(gg)


def test_wrongly_typed_nested_values(gg):
    err = error_of(gg.call("Inventory", "stock", {"sku": "A", "count": 1, "unit": "crate"}), 400)
    assert err["param"] == "unit" and '"piece"' in err["message"] and '"box"' in err["message"]
    err = error_of(gg.call("Inventory", "blob", {"data": "%%%"}), 400)
    assert err["param"] == "data" and "base64" in err["message"]
    still_serves(gg)


def test_too_many_positional_arguments(gg):
    err = error_of(gg.call("Inventory", "add", [1, 2, 3]), 400)
    assert "at most 2" in err["message"]
    still_serves(gg)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b'"text"', b"42"])
def test_body_that_is_not_arguments(gg, body):
    err = error_of(gg.call("Inventory", "add", body), 400)
    assert err["type"] in ("BadRequest", "ArgumentError")
    still_serves(gg)


def test_unknown_service_and_method(gg):
    err = error_of(gg.call("Nowhere", "add", {}), 404)
    assert "no service named `Nowhere`" in err["message"]
    err = error_of(gg.call("Inventory", "subtract", {}), 404)
    assert "`Inventory` has no method `subtract`" in err["message"]
    err = error_of(gg.call("Inventory", "_private", {}), 404)
    still_serves(gg)


def test_method_that_raises(gg):
    err = error_of(gg.call("Inventory", "reserve", {"sku": "A1", "wanted": 4}), 500)
    assert err["type"] == "OutOfStock" and err["module"] == "inventory"
    assert err["message"] == "A1: only 0 left, wanted 4"
    assert err["fields"] == {"sku": "A1", "wanted": 4}
    assert "traceback" not in err and err["callId"]  # test_error_privacy.py: --tracebacks
    still_serves(gg)


def test_wrong_http_method(gg):
    assert request(gg.calls + "/call/Inventory/add").status == 405
    still_serves(gg)


def test_slow_call_times_out_and_others_go_on(gg):
    started = time.monotonic()
    err = error_of(gg.call("Inventory", "nap", {"seconds": 30}), 504)
    assert "within 3 s" in err["message"] and time.monotonic() - started < 10
    still_serves(gg)


def test_blocking_and_busy_methods_do_not_stop_the_gateway(gg):
    results = {}

    def slow(name, method):
        results[name] = gg.call("Inventory", method, {"seconds": 2.0})

    threads = [threading.Thread(target=slow, args=("sleep", "sleep")), threading.Thread(target=slow, args=("spin", "spin"))]
    for t in threads:
        t.start()
    time.sleep(0.3)
    for _ in range(5):
        assert request(gg.web + "/status", timeout=5).status == 200
        still_serves(gg)
        assert gg.call("Inventory", "nap", {"seconds": 0.01}).json() == 0.01
    assert all(t.is_alive() for t in threads), "the slow calls should still be running"
    for t in threads:
        t.join()
    assert results["sleep"].json() == 2.0 and results["spin"].status == 200


def test_many_calls_at_once(gg):
    out = []

    def naps():
        out.append(gg.call("Inventory", "nap", {"seconds": 0.5}).json())

    threads = [threading.Thread(target=naps) for _ in range(20)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [0.5] * 20
    assert time.monotonic() - started < 5, "20 half-second naps should overlap, not queue"
