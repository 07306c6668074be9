"""A real package from PyPI, hosted as it is published: `gg --modules <site-packages>/humanize`.

Its `__all__` functions are one service, `humanize`, called over HTTP and
through its graft `graft-pypi-humanize` (installed with real pip from gg's
index) in-process and remote; every answer must equal calling humanize
directly here. Left out: naturaltime (its answer depends on the clock)
and activate (it returns a gettext object, which Graft does not carry: the
method is unavailable).
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

humanize = pytest.importorskip("humanize")  # requirements-dev.txt installs it

from gateway import Gateway, request  # noqa: E402

PACKAGE = Path(humanize.__file__).parent
CALLER = Path(__file__).parent / "fixtures" / "published" / "humanize_caller.py"
GRAFT = "graft-pypi-humanize"

CASES = [
    ("naturalsize", {"value": 1000000}),
    ("naturalsize", {"value": 3000, "binary": True}),
    ("naturalsize", {"value": "2000000000", "gnu": True}),
    ("intcomma", {"value": 1234.5}),
    ("intcomma", {"value": "1000000"}),
    ("intcomma", {"value": 1234.5678, "ndigits": 2}),
    ("ordinal", {"value": 3}),
    ("ordinal", {"value": "12"}),
    ("ordinal", {"value": 1, "gender": "female"}),
    ("intword", {"value": 12345678}),
    ("intword", {"value": "1000000000", "format": "%.2f"}),
    ("apnumber", {"value": 5}),
    ("apnumber", {"value": "foo"}),
    ("fractional", {"value": 0.3}),
    ("fractional", {"value": 1.5}),
    ("scientific", {"value": 500}),
    ("scientific", {"value": 0.00123, "precision": 3}),
    ("metric", {"value": 1500, "unit": "V"}),
    ("metric", {"value": 0.0022, "unit": "A", "precision": 2}),
    ("clamp", {"value": 0.0001, "floor": 0.01}),
    ("clamp", {"value": 0.5, "format": "{:.0%}"}),
    ("natural_list", {"items": ["a", "b", "c"]}),
    ("naturalday", {"value": {"date": "2020-03-04"}}),
    ("naturaldate", {"value": {"date": "2020-03-04"}}),
    ("thousands_separator", {}),
    ("decimal_separator", {}),
    ("deactivate", {}),
    ("naturaldelta", {"value": {"seconds": 3600}}),
    ("naturaldelta", {"value": {"seconds": 86400 * 40}, "months": False}),
    ("precisedelta", {"value": {"seconds": 93784.5}}),
    ("precisedelta", {"value": {"seconds": 3725}, "minimum_unit": "minutes", "suppress": ["hours"]}),
]

# An int for a `float | str` parameter stays an int (a float would make intcomma(1000000) answer
# "1,000,000.0" where humanize called directly answers "1,000,000").
INT_FOR_FLOAT = [("intcomma", {"value": 1000000})]


def decode(value):
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if isinstance(value, dict) and set(value) == {"seconds"}:
        return dt.timedelta(seconds=value["seconds"])
    return value


def as_json(value):
    """A case's argument as the call API takes it: a date as ISO text, a timedelta as an ISO duration."""
    if isinstance(value, dict) and set(value) == {"seconds"}:
        return "PT%sS" % value["seconds"]
    return value["date"] if isinstance(value, dict) else value


def direct(cases):
    """What humanize answers in this process: the reference."""
    answers = []
    for method, kwargs in cases:
        result = getattr(humanize, method)(**{k: decode(v) for k, v in kwargs.items()})
        answers.append({"returned": result, "type": type(result).__name__})
    return answers


def over_http(gg, cases):
    answers = []
    for method, kwargs in cases:
        body = {k: as_json(v) for k, v in kwargs.items()}
        r = gg.call("humanize", method, body)
        assert r.status == 200, (method, kwargs, r.body)
        result = r.json()
        answers.append({"returned": result, "type": type(result).__name__ if result is not None else "NoneType"})
    return answers


def through_graft(lib, host, cases):
    config = "name=%s;host=%s;runtime=python;modules=%s" % (GRAFT, host, PACKAGE.parent)
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, str(CALLER), json.dumps(cases)], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    lib = tmp_path_factory.mktemp("lib")
    with Gateway("--modules", str(PACKAGE), tcp=True) as gg:
        out = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
             "--target", str(lib), "--index-url", gg.web + "/simple/", GRAFT],
            capture_output=True, text=True, timeout=300,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        yield gg, lib


def test_the_package_is_one_service_named_after_it(hosted):
    gg, lib = hosted
    libraries = request(gg.web + "/libraries").json()
    assert [s["name"] for s in libraries["services"]] == ["humanize"]
    service = libraries["services"][0]
    assert service["module"] == "humanize"
    published = sorted(n for n in humanize.__all__ if not n.startswith("_"))
    assert sorted(m["name"] for m in service["methods"]) == published
    index = request(gg.web + "/simple/").body.decode()
    assert GRAFT in index and "humanize.number" not in index, index
    assert (lib / "graft_pypi_humanize" / "__init__.py").exists()


def test_annotations_resolve_from_type_checking_blocks(hosted):
    """humanize imports its types and its NumberOrString alias under `if TYPE_CHECKING:`."""
    gg, _ = hosted
    service = request(gg.web + "/libraries").json()["services"][0]
    methods = {m["name"]: m for m in service["methods"]}
    value = methods["intcomma"]["params"][0]["type"]
    assert value == {"kind": "union", "options": [{"kind": "float"}, {"kind": "str"}]}
    assert methods["naturalday"]["params"][0]["type"]["options"] == [{"kind": "date"}, {"kind": "date_time"}]
    assert methods["naturalsize"]["returns"] == {"kind": "str"}
    assert "cannot be resolved" not in gg.output()


def test_a_pydantic_model_is_not_a_service_and_gg_says_so():
    pytest.importorskip("pydantic")
    with Gateway("--modules", str(CALLER.parent / "orders.py")) as gg:
        services = request(gg.web + "/libraries").json()["services"]
        assert [s["name"] for s in services] == ["Orders"]
        lines = [line for line in gg.output().splitlines() if "pydantic" in line]
        assert lines == ["INFO graft.discover: orders.Order is a pydantic model, a data type: it is not exposed as a service"]


def test_http_calls_answer_as_the_package_does(hosted):
    gg, _ = hosted
    expected = direct(CASES)
    assert expected[0]["returned"] == "1.0 MB"  # the reference is humanize itself
    assert over_http(gg, CASES) == expected


def test_the_graft_answers_as_the_package_does_in_both_modes(hosted):
    gg, lib = hosted
    expected = direct(CASES)
    local = through_graft(lib, "inMemory", CASES)
    remote = through_graft(lib, "127.0.0.1:%d" % gg.tcp_port, CASES)
    for (method, kwargs), want, got_local, got_remote in zip(CASES, expected, local, remote):
        assert got_local == want, ("inMemory", method, kwargs)
        assert got_remote == want, ("remote", method, kwargs)


def test_an_int_for_a_float_parameter_stays_an_int(hosted):
    """`value: float | str`: a type checker takes an int there, and Graft passes it on as one."""
    gg, lib = hosted
    expected = direct(INT_FOR_FLOAT)
    assert over_http(gg, INT_FOR_FLOAT) == expected
    assert through_graft(lib, "127.0.0.1:%d" % gg.tcp_port, INT_FOR_FLOAT) == expected
    assert through_graft(lib, "inMemory", INT_FOR_FLOAT) == expected
