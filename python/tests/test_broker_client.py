"""The graft's side of calls through a broker: `host=redis://` parsed, and
resp.py's RESP2 writing and reading (the e2e tests, tests/e2e/test_broker*.py,
run it against a real redis-server and gg)."""

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graft_runtime.broker import Broker, sending  # noqa: E402
from graft_runtime.config import GraftConfigError, parse  # noqa: E402
from graft_runtime.resp import RespError, encode, read_reply  # noqa: E402


def test_a_broker_host_is_its_url_and_route():
    settings, = parse("name=graft-pypi-x;host=redis://cache:6380/2;timeout=5")
    assert settings.broker == "redis://cache:6380/2"
    assert settings.host == ("cache", 6380)
    assert settings.route == ("redis://cache:6380/2", "broker")
    assert not settings.in_memory
    assert "redis://cache:6380/2" in repr(settings)


def test_the_default_port_and_a_password():
    settings, = parse("host=redis://:s3cret@cache/0")
    assert settings.host == ("cache", 6379)
    broker = Broker(settings.broker)
    assert (broker.host, broker.port, broker.db, broker.auth) == ("cache", 6379, 0, ("s3cret",))
    assert Broker("redis://ann:pw@h:1/3").auth == ("ann", "pw")


@pytest.mark.parametrize("host", ["redis://", "redis://h:1/x", "redis://a:1,b:1/0", "amqp://h:5672"])
def test_bad_broker_hosts_are_errors_naming_the_value(host):
    with pytest.raises(GraftConfigError, match="host="):
        parse("host=%s" % host)


def read(data: bytes):
    async def go():
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await read_reply(reader)
    return asyncio.run(go())


def test_resp_commands_and_replies():
    assert encode(("XADD", "q", "*", "call", b"\x00\x01")) == b"*5\r\n$4\r\nXADD\r\n$1\r\nq\r\n$1\r\n*\r\n$4\r\ncall\r\n$2\r\n\x00\x01\r\n"
    assert read(b"+OK\r\n") == "OK"
    assert read(b":42\r\n") == 42
    assert read(b"$-1\r\n") is None
    assert read(b"*2\r\n$1\r\nq\r\n*2\r\n$4\r\na\r\nb\r\n$0\r\n\r\n") == [b"q", [b"a\r\nb", b""]]
    error = read(b"-NOGROUP no such group\r\n")
    assert isinstance(error, RespError) and "NOGROUP" in str(error)


def test_only_a_none_method_is_sent_without_waiting():
    async def total(a: int, b: int) -> int:
        return a + b

    with pytest.raises(TypeError, match="only a method annotated -> None"):
        asyncio.run(sending(total, (1, 2), {}))
