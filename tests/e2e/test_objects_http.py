"""Remote objects over the HTTP call API, against the real gg hosting
tests/e2e/fixtures/realcode/carts.py: a Cart made with POST /objects/Cart
keeps its state across calls, two carts are independent, a constructor's
ValueError comes back as any method's error, a factory answers a reference
that can be passed back as an argument, DELETE runs the cart's close(), an
unknown or released id is a 404 naming the object, an idle cart is released
when --objectTtl runs out, and --maxObjects bounds the carts held."""

import concurrent.futures
import time
from pathlib import Path

import pytest

from gateway import Gateway, request

CARTS = Path(__file__).parent / "fixtures" / "realcode" / "carts.py"


@pytest.fixture(scope="module")
def gg():
    with Gateway("--modules", str(CARTS), args=["--objectTtl=1.5", "--maxObjects=40"]) as gateway:
        yield gateway


def make(gg, *args, **kwargs):
    r = request(gg.calls + "/objects/Cart", data=list(args) if args else kwargs)
    assert r.status == 201, r.body
    assert set(r.json()) == {"id"}
    return r.json()["id"]


def call(gg, cart, method, **args):
    return request("%s/objects/Cart/%s/%s" % (gg.calls, cart, method), data=args)


def released(gg):
    return request(gg.calls + "/call/Shop/released", data={}).json()


def test_a_cart_keeps_its_lines_and_two_carts_are_independent(gg):
    ann, bob = make(gg, owner="ann", currency="EUR"), make(gg, "bob", "USD")
    assert len(ann) == 32 and ann != bob
    assert call(gg, ann, "add", line={"sku": "H-1", "qty": 2, "unit": 1.25}).json() == 1
    assert call(gg, ann, "add", line={"sku": "H-2", "qty": 1, "unit": 0.5}).json() == 2
    assert call(gg, bob, "add", line={"sku": "B-1", "qty": 3, "unit": 2.0}).json() == 1
    assert call(gg, ann, "total").json() == 3.0
    assert call(gg, bob, "describe").json() == "bob: 1 lines, 6.00 USD"
    assert call(gg, ann, "checkout").json() == "ann paid 3.00 EUR"


def test_a_constructor_error_is_the_usual_error_body(gg):
    r = request(gg.calls + "/objects/Cart", data={"owner": "ann", "currency": "XYZ"})
    assert r.status == 500
    assert r.json()["error"]["type"] == "ValueError"
    assert r.json()["error"]["message"] == "unknown currency 'XYZ': use one of EUR, USD, GBP"
    r = request(gg.calls + "/objects/Cart", data={"currency": "EUR"})
    assert r.status == 400 and r.json()["error"]["param"] == "owner"
    r = request(gg.calls + "/objects/Shop", data={})
    assert r.status == 404 and r.json()["error"]["type"] == "NotFound"


def test_calls_on_one_cart_run_in_arrival_order(gg):
    cart = make(gg, "fifo")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        first = pool.submit(call, gg, cart, "note", event="first", delay=0.4)
        time.sleep(0.1)
        second = pool.submit(call, gg, cart, "note", event="second")
        assert first.result().json() == ["first"]
        assert second.result().json() == ["first", "second"]


def test_a_factory_answers_a_reference_that_comes_back_as_the_cart(gg):
    r = request(gg.calls + "/call/Shop/open_cart", data={"owner": "cy"})
    assert r.status == 200
    ref = r.json()
    assert ref["service"] == "Cart" and len(ref["id"]) == 32
    call(gg, ref["id"], "add", line={"sku": "C-1", "qty": 1, "unit": 4.0})
    into = make(gg, "dee")
    r = request(gg.calls + "/call/Shop/merge", data={"into": {"id": into}, "other": ref})
    assert r.json() == 1
    assert call(gg, into, "total").json() == 4.0 and call(gg, ref["id"], "total").json() == 0


def test_delete_runs_close_and_then_the_id_is_not_found(gg):
    cart = make(gg, "eve")
    r = request("%s/objects/Cart/%s" % (gg.calls, cart), method="DELETE")
    assert r.status == 204 and r.body == b""
    assert "eve" in released(gg)
    gone = "Cart object %s was released or never existed" % cart
    for r in (call(gg, cart, "total"), request("%s/objects/Cart/%s" % (gg.calls, cart), method="DELETE")):
        assert r.status == 404
        assert r.json()["error"] == {"type": "NotFound", "message": gone}


def test_status_counts_the_objects_living_in_gg():
    with Gateway("--modules", str(CARTS)) as gg:
        status = lambda: request(gg.web + "/status").json()  # noqa: E731
        services = len(request(gg.web + "/libraries").json()["services"])
        assert status() == {"status": "ready", "services": services, "objects": 0}
        cart = make(gg, "counted")
        assert status()["objects"] == 1
        request("%s/objects/Cart/%s" % (gg.calls, cart), method="DELETE")
        assert status()["objects"] == 0


def test_a_method_of_a_cart_is_not_a_static_call(gg):
    r = request(gg.calls + "/call/Cart/total", data={})
    assert r.status == 404 and "POST /objects/Cart" in r.json()["error"]["message"]


def test_an_idle_cart_is_released_when_its_lease_runs_out(gg):
    cart = make(gg, "idle")
    for _ in range(3):  # kept alive by use, past the 1.5 s lease
        time.sleep(0.7)
        assert call(gg, cart, "total").status == 200
    time.sleep(2.5)
    assert "idle" in released(gg)
    assert call(gg, cart, "total").status == 404


def test_max_objects_bounds_the_carts_held_over_http():
    with Gateway("--modules", str(CARTS), args=["--maxObjects=2"]) as gg:
        first, _ = make(gg, "a"), make(gg, "b")
        r = request(gg.calls + "/objects/Cart", data={"owner": "c"})
        assert r.status == 429
        assert "--maxObjects 2" in r.json()["error"]["message"]
        factory = request(gg.calls + "/call/Shop/open_cart", data={"owner": "c"})
        assert (factory.status, factory.json()) == (429, r.json()), "a factory past the limit answers as a constructor"
        assert request("%s/objects/Cart/%s" % (gg.calls, first), method="DELETE").status == 204
        make(gg, "c")


def test_openapi_describes_the_object_routes(gg):
    from openapi_spec_validator import validate

    doc = request(gg.web + "/openapi.json").json()
    validate(doc)
    paths = doc["paths"]
    assert "/call/Cart/add" not in paths
    assert set(paths["/objects/Cart"]["post"]["responses"]) >= {"201", "400", "500"}
    assert paths["/objects/Cart/{id}/add"]["post"]["parameters"][0]["name"] == "id"
    assert "delete" in paths["/objects/Cart/{id}"]
    factory = paths["/call/Shop/open_cart"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert factory["required"] == ["id"]


@pytest.mark.parametrize("flag", ["--objectTtl=0", "--objectTtl=soon", "--maxObjects=0"])
def test_bad_object_flags_stop_gg_with_status_2(flag):
    import subprocess

    from gateway import GG

    done = subprocess.run([str(GG), str(CARTS), flag], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    assert flag.split("=")[0] in done.stderr, done.stderr


def test_objects_still_living_are_released_when_gg_stops(tmp_path):
    import os

    released = tmp_path / "released.txt"
    env = dict(os.environ, CARTS_RELEASED=str(released))
    with Gateway("--modules", str(CARTS), env=env) as gg:
        make(gg, "kept")
        gone = make(gg, "gone")
        assert request("%s/objects/Cart/%s" % (gg.calls, gone), method="DELETE").status == 204
        assert gg.stop() == 0
        assert released.read_text().split() == ["gone", "kept"]
        assert "released 1 remote objects at shutdown" in gg.output()


def test_a_call_that_timed_out_holds_its_object_until_it_ends():
    """The caller gets 504 at --callTimeout, but the method runs on: the
    next call on that object waits for it, so calls stay one at a time."""
    with Gateway("--modules", str(CARTS), args=["--callTimeout=1"]) as gg:
        cart = make(gg, "tim")
        assert call(gg, cart, "note", event="slow", delay=1.4).status == 504
        r = call(gg, cart, "note", event="next")
        assert (r.status, r.json()) == (200, ["slow", "next"]), "the next call ran while the slow one still ran"
        other = make(gg, "ona")  # other objects are not held back
        assert call(gg, other, "note", event="free").json() == ["free"]
