"""GraftConfig: the connection string, its errors, and where configuration comes from."""

import json
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graft_runtime.config import GraftConfigError, Settings, normalize_name, parse, parse_host, select  # noqa: E402
from graft_runtime.sources import resolve  # noqa: E402

GRAFT = "graft-pypi-energypricecalculator"
OWN_ENV = "GRAFT_CONFIG_GRAFT_PYPI_ENERGYPRICECALCULATOR"
OWN_FILE_ENV = "GRAFT_CONFIG_FILE_GRAFT_PYPI_ENERGYPRICECALCULATOR"
TUTORIAL = "name=graft-pypi-energypricecalculator;host=price_calculator:9092;runtime=python;modules=/usr/app/src"


def one(text: str) -> Settings:
    found = select(parse(text), GRAFT)
    assert found is not None
    return found


# ---------------------------------------------------------------- parsing


def test_the_tutorial_string():
    s = one(TUTORIAL)
    assert s.name == GRAFT
    assert s.host == ("price_calculator", 9092)
    assert s.runtime == "python"
    assert s.modules == ("/usr/app/src",)
    assert s.timeout is None
    assert not s.in_memory


@pytest.mark.parametrize("host", ["inMemory", "INMEMORY", "inmemory", "", "  "])
def test_in_memory_hosts(host):
    assert one("name=%s;host=%s" % (GRAFT, host)).in_memory


@pytest.mark.parametrize(
    "host, expected",
    [
        ("localhost:9092", ("localhost", 9092)),
        ("tcp://10.0.0.5:1", ("10.0.0.5", 1)),
        ("TCP://calc:65535", ("calc", 65535)),
        ("[::1]:9092", ("::1", 9092)),
    ],
)
def test_tcp_hosts(host, expected):
    assert parse_host(host) == expected


@pytest.mark.parametrize(
    "host",
    ["ws://calc:9092/ws", "tpc://x:1", "localhost", "calc:", ":9092", "calc:0", "calc:65536", "calc:90x", "tcp://calc:1/x", "http://calc:80"],
)
def test_bad_hosts_name_the_key_and_the_value(host):
    with pytest.raises(GraftConfigError) as e:
        parse("name=%s;host=%s" % (GRAFT, host))
    assert "host=%r" % host in str(e.value)
    assert isinstance(e.value, ValueError)


def test_keys_are_case_insensitive_and_spaces_ignored():
    s = one(" Name = %s ; HOST = tcp://calc:1 ; Runtime=Python; timeout = 2.5 ;" % GRAFT)
    assert s.host == ("calc", 1) and s.timeout == 2.5 and s.runtime == "python"


def test_unknown_key_is_named():
    with pytest.raises(GraftConfigError, match=r"unknown key 'hots' \(value 'calc:1'\)"):
        parse("name=%s;hots=calc:1" % GRAFT)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("name=x;host", "'host' is not key=value"),
        ("name=x;timeout=soon", "timeout='soon'"),
        ("name=x;timeout=-1", "timeout='-1'"),
        ("name=x;timeout=nan", "timeout='nan'"),
        ("name=x;runtime=nodejs", "runtime='nodejs'"),
        ("name=x;host=a:1;host=b:2", "'host' is given twice"),
    ],
)
def test_malformed_values_are_named(text, needle):
    with pytest.raises(GraftConfigError) as e:
        parse(text)
    assert needle in str(e.value)
    assert "line 1" in str(e.value)


def test_timeout_zero_means_no_limit():
    assert one("timeout=0").timeout is None


def test_several_modules():
    assert one("modules=/a, /b ,").modules == ("/a", "/b")


def test_lines_comments_and_name_selection():
    text = "# comment\n  # indented comment\nname=graft-pypi-other;host=other:1\n\nname=Graft_Pypi.EnergyPriceCalculator;host=calc:9092\n"
    assert one(text).host == ("calc", 9092)
    assert select(parse(text), "graft-pypi-third") is None


def test_hash_only_starts_a_comment_at_the_start_of_a_line():
    with pytest.raises(GraftConfigError, match="line 2: invalid host='calc:9092 # remote'"):
        parse("# ok\nhost=calc:9092 # remote")


def test_a_line_without_name_applies_to_every_graft_but_a_named_one_wins():
    text = "host=fallback:1\nname=%s;host=mine:2" % GRAFT
    assert one(text).host == ("mine", 2)
    assert select(parse(text), "graft-pypi-other").host == ("fallback", 1)


def test_two_lines_for_one_graft_are_an_error():
    with pytest.raises(GraftConfigError, match="line 1 and line 2 both configure"):
        one("name=%s;host=a:1\nname=%s;host=b:2" % (GRAFT, GRAFT.upper()))


def test_other_grafts_lines_are_checked_too():
    with pytest.raises(GraftConfigError, match="host='ws://x:1'"):
        parse("name=%s;host=a:1\nname=graft-pypi-other;host=ws://x:1" % GRAFT)


def test_normalize_name():
    assert normalize_name("Graft_PyPI.Energy--Price") == "graft-pypi-energy-price"


# ---------------------------------------------------------------- precedence


def host_of(env: Dict[str, str], code: Optional[str] = None, default: Optional[str] = None) -> str:
    s = resolve(GRAFT, code, default, environ=env)
    return "inMemory" if s.host is None else "%s:%d" % s.host


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture
def layers(tmp_path):
    """One source for each precedence level, each naming a different host."""
    return {
        OWN_ENV: "host=own-env:1",
        "GRAFT_CONFIG": "name=%s;host=global-env:2" % GRAFT,
        OWN_FILE_ENV: write(tmp_path, "own.json", json.dumps({"host": "own-file:3"})),
        "GRAFT_CONFIG_FILE": write(tmp_path, "global.txt", "# all grafts\nname=%s;host=global-file:4\n" % GRAFT),
    }


ORDER = [OWN_ENV, "GRAFT_CONFIG", OWN_FILE_ENV, "GRAFT_CONFIG_FILE"]


@pytest.mark.parametrize("top", range(6))
def test_precedence_matrix(layers, top):
    """Sources from level `top` down are present; the highest of them wins."""
    env = {k: v for k, v in layers.items() if ORDER.index(k) >= top}
    code = "name=%s;host=code:5" % GRAFT if top <= 4 else None
    expected = ["own-env:1", "global-env:2", "own-file:3", "global-file:4", "code:5", "default:6"][top]
    assert host_of(env, code=code, default="host=default:6") == expected


def test_nothing_configured_is_in_memory():
    s = resolve(GRAFT, None, None, environ={})
    assert s.in_memory and "no configuration" in s.source


def test_code_none_and_empty_mean_no_configuration():
    assert host_of({}, code=None, default="host=default:6") == "default:6"
    assert host_of({}, code="", default=None) == "inMemory"


def test_empty_variables_count_as_unset():
    assert host_of({OWN_ENV: "", "GRAFT_CONFIG": "  ", "GRAFT_CONFIG_FILE": ""}, code="host=code:5") == "code:5"


def test_a_source_without_a_line_for_this_graft_is_passed_over():
    env = {"GRAFT_CONFIG": "name=graft-pypi-other;host=other:1"}
    assert host_of(env, code="host=code:5") == "code:5"


def test_the_source_is_reported():
    s = resolve(GRAFT, None, None, environ={"GRAFT_CONFIG": TUTORIAL})
    assert s.source == "environment variable GRAFT_CONFIG line 1"


def test_own_variable_naming_another_graft_is_an_error():
    with pytest.raises(GraftConfigError, match="name='graft-pypi-other'"):
        resolve(GRAFT, environ={OWN_ENV: "name=graft-pypi-other;host=a:1"})


def test_errors_in_a_higher_source_are_raised_not_skipped():
    with pytest.raises(GraftConfigError, match=r"environment variable GRAFT_CONFIG line 1: invalid host='calc'"):
        resolve(GRAFT, code="host=good:1", environ={"GRAFT_CONFIG": "name=%s;host=calc" % GRAFT})


def test_missing_file_is_an_error_naming_the_variable(tmp_path):
    missing = str(tmp_path / "nope.json")
    with pytest.raises(GraftConfigError, match="GRAFT_CONFIG_FILE='.*nope.json': cannot read"):
        resolve(GRAFT, environ={"GRAFT_CONFIG_FILE": missing})


@pytest.mark.parametrize(
    "content",
    [
        {"name": GRAFT, "host": "tcp://j:7", "modules": ["/a", "/b"], "timeout": 3},
        [{"name": "graft-pypi-other", "host": "o:1"}, {"name": GRAFT, "host": "tcp://j:7", "modules": "/a,/b", "timeout": "3"}],
        {"graft-pypi-other": {"host": "o:1"}, GRAFT: {"host": "j:7", "modules": ["/a", "/b"], "timeout": 3}},
    ],
)
def test_json_files(tmp_path, content):
    path = write(tmp_path, "c.json", json.dumps(content))
    s = resolve(GRAFT, environ={"GRAFT_CONFIG_FILE": path})
    assert (s.host, s.modules, s.timeout) == (("j", 7), ("/a", "/b"), 3.0)
    assert path in s.source


@pytest.mark.parametrize(
    "content, needle",
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"host": "j:7", "colour": "red"}), "unknown key 'colour'"),
        (json.dumps({"host": True}), "invalid host=true"),
        (json.dumps({"host": "j:7;timeout=1"}), "cannot hold ';'"),
        (json.dumps([1]), "expected an object"),
    ],
)
def test_bad_json_files(tmp_path, content, needle):
    path = write(tmp_path, "c.json", content)
    with pytest.raises(GraftConfigError) as e:
        resolve(GRAFT, environ={"GRAFT_CONFIG_FILE": path})
    assert needle in str(e.value) and path in str(e.value)


def test_real_environment_is_read_by_default(monkeypatch):
    monkeypatch.setenv("GRAFT_CONFIG", TUTORIAL)
    monkeypatch.delenv(OWN_ENV, raising=False)
    assert resolve(GRAFT).host == ("price_calculator", 9092)


def test_the_token_key_is_kept_and_never_shown():
    s = one("name=%s;host=calc:1;token=s3cret-token" % GRAFT)
    assert s.token == "s3cret-token" and "s3cret" not in repr(s)
    assert one("host=calc:1").token is None


def test_graft_token_is_read_with_the_configuration_once():
    """GRAFT_TOKEN is read when the configuration is resolved (not on every
    call); `token=` wins over it; an in-memory configuration carries it too."""
    env = {"GRAFT_CONFIG": "name=%s;host=calc:1" % GRAFT, "GRAFT_TOKEN": "from-env"}
    assert resolve(GRAFT, environ=env).token == "from-env"
    env["GRAFT_CONFIG"] += ";token=own"
    assert resolve(GRAFT, environ=env).token == "own"
    assert resolve(GRAFT, environ={"GRAFT_TOKEN": ""}).token is None


def test_a_token_changed_after_resolving_is_not_sent_until_reload(monkeypatch):
    from graft_runtime.client import GraftClient

    monkeypatch.setenv("GRAFT_CONFIG", "name=%s;host=calc:1" % GRAFT)
    monkeypatch.setenv("GRAFT_TOKEN", "first")
    client = GraftClient(GRAFT, "Calc", "calc")
    settings = client.settings()
    monkeypatch.setenv("GRAFT_TOKEN", "second")
    assert client.settings() is settings and settings.token == "first"
    client.reload()
    assert client.settings().token == "second"
