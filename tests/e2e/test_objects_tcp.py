"""Remote objects over the TCP protocol, against the real gg hosting
tests/e2e/fixtures/realcode/carts.py, with raw frames on real sockets: a
cart made with `__init__` keeps its state, a connection that closes leaves
its carts for another connection to resume by id, `__release__` runs
close(), an unknown id is NotFound naming the object, --maxObjects bounds
one connection's carts, and a version-5 client is told the version it
needs."""

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

from gateway import Gateway, older_call, read_exactly, read_frame_body  # noqa: E402

CARTS = str(Path(__file__).parent / "fixtures" / "realcode" / "carts.py")
NOT_FOUND = 1


@pytest.fixture(scope="module")
def gg():
    with Gateway(CARTS, tcp=True, args=["--maxObjects=3"]) as gateway:
        yield gateway


class Client:
    """One connection speaking `version`; `call` answers the Reply's value or the ErrorFrame."""

    def __init__(self, port, version=wire.VERSION):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(wire.encode_hello(version=version))
        hello = wire.decode_hello(read_exactly(self.sock, wire.HELLO_SIZE))
        assert (hello.version, hello.status) == (version, 0)
        self.version = version
        self.next_id = 0

    def call(self, service, method, *args, obj="", **kwargs):
        self.next_id += 1
        frame = wire.encode_call(self.next_id, service, method, list(args), kwargs, obj=obj)
        if self.version < 7:
            frame = older_call(frame, service, method, self.version)
        self.sock.sendall(frame)
        answer = wire.parse_frame(read_frame_body(self.sock))
        assert answer.request_id == self.next_id
        return answer.value if type(answer).__name__ == "ReplyFrame" else answer

    def close(self):
        self.sock.close()


def test_a_cart_lives_across_connections_until_released(gg):
    first = Client(gg.tcp_port)
    ref = first.call("Cart", "__init__", "ann", currency="GBP")
    assert (ref.service, len(ref.id)) == ("Cart", 32)
    assert first.call("Cart", "describe", obj=ref.id) == "ann: 0 lines, 0.00 GBP"
    first.close()  # dropped: the cart stays for its lease
    second = Client(gg.tcp_port)
    assert second.call("Cart", "note", "resumed", obj=ref.id) == ["resumed"]
    assert second.call("Cart", "__release__", obj=ref.id) is None
    assert "ann" in second.call("Shop", "released")
    error = second.call("Cart", "total", obj=ref.id)
    assert error.status == NOT_FOUND
    assert error.raised.message == "Cart object %s was released or never existed" % ref.id
    again = second.call("Cart", "__release__", obj=ref.id)
    assert again.status == NOT_FOUND
    second.close()


def test_a_factory_answers_a_reference_and_takes_it_back(gg):
    client = Client(gg.tcp_port)
    made = client.call("Shop", "open_cart", "bob")
    client.call("Cart", "note", "x", obj=made.id)
    assert client.call("Cart", "__init__", " ").raised.message == "a cart needs an owner"
    other = client.call("Cart", "__init__", "cy")
    assert client.call("Shop", "merge", other, made) == 0
    for ref in (made, other):
        client.call("Cart", "__release__", obj=ref.id)
    client.close()


def test_one_connection_holds_at_most_max_objects(gg):
    client, other = Client(gg.tcp_port), Client(gg.tcp_port)
    held = [client.call("Cart", "__init__", "n%d" % i) for i in range(3)]
    refused = client.call("Cart", "__init__", "n3")
    assert "--maxObjects 3" in refused.raised.message, refused
    # A factory past the limit answers as the constructor does: the same status and message.
    factory = client.call("Shop", "open_cart", "n3")
    assert (factory.status, factory.raised.type_name, factory.raised.message) == (
        refused.status, refused.raised.type_name, refused.raised.message), (factory, refused)
    # Another connection has a limit of its own.
    extra = other.call("Cart", "__init__", "o1")
    client.call("Cart", "__release__", obj=held[0].id)
    held.append(client.call("Cart", "__init__", "n4"))
    for ref in held[1:]:
        client.call("Cart", "__release__", obj=ref.id)
    other.call("Cart", "__release__", obj=extra.id)
    client.close()
    other.close()


def test_a_version_5_client_is_told_the_version_objects_need(gg):
    old = Client(gg.tcp_port, version=5)
    error = old.call("Cart", "__init__", "dee")
    message = error.raised.message
    assert "Cart.__init__" in message and "version 6" in message and "version 5" in message, message
    assert old.call("Shop", "released") is not None  # plain methods answer as before
    error = old.call("Shop", "open_cart", "dee")
    assert "Shop.open_cart" in error.raised.message and "version 6" in error.raised.message
    old.close()



def test_calls_sent_together_on_one_cart_run_in_the_order_sent(gg):
    client = Client(gg.tcp_port)
    for _ in range(3):
        cart = client.call("Cart", "__init__", "order")
        frames, ids = [], []
        for n in range(12):  # the first ones sleep, so a later one overtaking them would show
            client.next_id += 1
            ids.append(client.next_id)
            delay = 0.03 if n < 3 else 0.0
            frames.append(wire.encode_call(client.next_id, "Cart", "note", ["e%d" % n], {"delay": delay}, obj=cart.id))
        client.sock.sendall(b"".join(frames))  # one write: they arrive together
        answers = {}
        while len(answers) < len(ids):
            frame = wire.parse_frame(read_frame_body(client.sock))
            answers[frame.request_id] = frame.value
        for n, request_id in enumerate(ids):
            assert answers[request_id] == ["e%d" % k for k in range(n + 1)], answers
        client.call("Cart", "__release__", obj=cart.id)
    client.close()
