"""Error frames become what an in-process call raises (remote.Remote.exception), without a server."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "fixtures"))

import shop_graft as g  # noqa: E402
from graft_runtime import wire  # noqa: E402

remote = g._client.remote


def error(type_name, message, args=(), fields=None, module="builtins", status=wire.STATUS_RAISED):
    raised = wire.Raised(type_name, module, message, list(args), fields or {}, "Traceback ...")
    return wire.RemoteError(status, raised)


def test_graft_exception_with_fields_and_message():
    e = remote.exception(error("OutOfStock", "sku-1 is out of stock (2 left)", ["sku-1 is out of stock (2 left)"], {"sku": "sku-1", "left": 2}, "shop"))
    assert type(e) is g.OutOfStock and (e.sku, e.left) == ("sku-1", 2) and str(e) == "sku-1 is out of stock (2 left)"


def test_graft_exception_whose_args_do_not_give_the_message():
    e = remote.exception(error("OutOfStock", "custom text", ["a", 1], {"sku": "a", "left": 1}, "shop"))
    assert str(e) == "custom text" and e.sku == "a"


@pytest.mark.parametrize(
    "name, message, args",
    [
        ("KeyError", "'k'", ["k"]),
        ("ValueError", "invalid literal for int() with base 10: 'x'", ["invalid literal for int() with base 10: 'x'"]),
        ("UnicodeDecodeError", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte", ["utf-8", b"\xff", 0, 1, "invalid start byte"]),
        ("FileNotFoundError", "[Errno 2] No such file or directory: 'x'", [2, "No such file or directory", "x"]),
        ("StopIteration", "", []),
    ],
)
def test_builtins_keep_type_message_and_args(name, message, args):
    e = remote.exception(error(name, message, args))
    assert type(e).__name__ == name and type(e).__module__ == "builtins"
    assert str(e) == message and list(e.args) == args[: len(e.args)]


@pytest.mark.parametrize("name", ["SystemExit", "KeyboardInterrupt", "NoSuchBuiltin"])
def test_what_must_not_be_rebuilt_stays_a_remote_error(name):
    err = error(name, "bye")
    assert remote.exception(err) is err


def test_a_same_named_class_of_another_module_is_not_a_builtin():
    err = error("KeyError", "'k'", ["k"], module="mylib")
    assert remote.exception(err) is err


def test_gateway_statuses_map_to_their_builtin_types():
    e = remote.exception(error("AttributeError", "no method Shop.nope", ["no method Shop.nope"], status=wire.STATUS_NOT_FOUND))
    assert type(e) is AttributeError and str(e) == "no method Shop.nope"
    e = remote.exception(error("TypeError", "bad argument", ["bad argument"], status=wire.STATUS_BAD_ARGUMENTS))
    assert type(e) is TypeError
