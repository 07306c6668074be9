"""`gg --authTokens`, against the real gg over real sockets: every call and
download needs a known token (HTTP bearer or basic auth, TCP's Auth frame);
a refusal reveals nothing (nor does /status); the probes stay open; pip installs with the token
in the index URL and gets a 401 without; a graft sends `token=` (or
GRAFT_TOKEN) and raises Unauthenticated without."""

import base64
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from gateway import Gateway, request
from test_objects_tcp import Client
from test_tutorial import make_project

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from graft_runtime import wire  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
TOKENS = "# who may call\nalice=tok-alice-7Qx  # her laptop\ntok-bare-9Zy\n"
GOOD, BARE = "tok-alice-7Qx", "tok-bare-9Zy"
PROTECTED = ["/", "/GV", "/status", "/libraries", "/openapi.json", "/simple/", "/simple/graft-pypi-inventory/"]


@pytest.fixture(scope="module")
def tokens(tmp_path_factory):
    path = tmp_path_factory.mktemp("auth") / "tokens"
    path.write_text(TOKENS)
    return path


@pytest.fixture(scope="module")
def gg(tokens):
    args = ["--authTokens", str(tokens)]
    with Gateway("--modules", str(FIXTURES / "svc"), tcp=True, args=args, env=ENV) as gateway:
        yield gateway


def fetch(url, authorization=None, data=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if authorization:
        req.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def basic(user, password=""):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def refused(status, body, headers):
    assert status == 401, body
    assert json.loads(body)["error"]["type"] == "Unauthenticated"
    assert b"Inventory" not in body and b"inventory" not in body
    assert "Basic" in ", ".join(headers.get_all("WWW-Authenticate")), headers


def test_calls_need_a_known_bearer_token(gg):
    add = gg.calls + "/call/Inventory/add"
    args = json.dumps({"a": 2, "b": 3}).encode()
    refused(*fetch(add, data=args))
    refused(*fetch(add, "Bearer wrong", data=args))
    refused(*fetch(add, "Bearer " + GOOD[:-1], data=args))
    for token in (GOOD, BARE):
        status, body, _ = fetch(add, "Bearer " + token, data=args)
        assert (status, json.loads(body)) == (200, 5)
    # The web side serves the call API too, behind the same tokens.
    refused(*fetch(gg.web + "/call/Inventory/add", data=args))
    assert fetch(gg.web + "/call/Inventory/add", "Bearer " + GOOD, data=args)[0] == 200


def test_the_web_side_shows_nothing_without_a_token(gg):
    for path in PROTECTED:
        refused(*fetch(gg.web + path))
        refused(*fetch(gg.web + path, basic("nobody", "wrong")))
        status, _, _ = fetch(gg.web + path, "Bearer " + GOOD)
        assert status in (200, 307, 308), (path, status)
    listed = json.loads(fetch(gg.web + "/libraries", "Bearer " + BARE)[1])
    assert "Inventory" in [s["name"] for s in listed["services"]]


def test_downloads_take_basic_auth_as_user_or_password(gg):
    for auth in (basic(GOOD), basic("__token__", GOOD), basic(BARE, "")):
        status, body, _ = fetch(gg.web + "/simple/", auth)
        assert status == 200 and b"graft-pypi" in body, (auth, status)
    page = fetch(gg.web + "/simple/graft-pypi-inventory/", basic(GOOD))[1].decode()
    url = gg.web + "/packages/" + page.split('href="../../packages/')[1].split("#")[0]
    refused(*fetch(url))
    status, body, _ = fetch(url, basic(GOOD))
    assert status == 200 and body[:2] == b"PK"


def test_probes_stay_open(gg):
    for path in ("/healthz", "/readyz", "/metrics"):
        assert request(gg.web + path).status != 401, path


def test_tokens_are_never_logged(gg):
    fetch(gg.calls + "/call/Inventory/add", "Bearer " + GOOD, data=b'{"a": 1}')
    fetch(gg.calls + "/call/Inventory/add", "Bearer not-a-token-3", data=b'{"a": 1}')
    log = gg.output()
    assert GOOD not in log and BARE not in log and "not-a-token-3" not in log, log


class AuthClient(Client):
    """A raw TCP client that sends an Auth frame after its hello."""

    def __init__(self, port, token):
        super().__init__(port)
        if token is not None:
            self.sock.sendall(wire.encode_auth(token))


def test_tcp_calls_need_the_auth_frame(gg):
    client = AuthClient(gg.tcp_port, None)
    try:
        error = client.call("Inventory", "add", 2, 3)
        assert error.status == wire.STATUS_UNAUTHENTICATED, error
        assert error.raised.type_name == "PermissionError" and "Inventory" not in error.raised.message
        again = client.call("Inventory", "nowhere")  # not found stays hidden too
        assert again.status == wire.STATUS_UNAUTHENTICATED
    finally:
        client.close()


def test_a_wrong_tcp_token_closes_the_connection_after_its_refusal(gg):
    for token in ("wrong", GOOD + "x"):
        client = AuthClient(gg.tcp_port, token)
        try:
            error = client.call("Inventory", "add", 2, 3)
            assert error.status == wire.STATUS_UNAUTHENTICATED, error
            message = error.raised.message
            # Nothing of the server, its address neither: only what the client can do.
            assert "127.0.0.1" not in message and "Inventory" not in message, message
            assert "not known" in message and "token=" in message, message
            client.sock.settimeout(5)
            assert client.sock.recv(1) == b"", "the connection is closed"
        finally:
            client.close()
    client = AuthClient(gg.tcp_port, BARE)
    try:
        assert client.call("Inventory", "add", 2, 3) == 5
    finally:
        client.close()


def test_without_auth_tokens_anyone_calls(tmp_path):
    with Gateway("--modules", str(FIXTURES / "svc"), tcp=True, env=ENV) as gateway:
        assert gateway.call("Inventory", "add", {"a": 1}).status == 200
        client = Client(gateway.tcp_port)
        try:
            assert client.call("Inventory", "add", 1) == 2
        finally:
            client.close()


def test_an_unreadable_or_empty_tokens_file_stops_gg(tmp_path):
    from gateway import run_gg

    empty = tmp_path / "empty"
    empty.write_text("# nothing\n\n")
    for path in (empty, tmp_path / "missing"):
        out = run_gg("--modules", str(FIXTURES / "svc"), "--authTokens", str(path), env=ENV)
        assert out.returncode == 2 and "--authTokens" in out.stderr, out.stderr


def pip(project, index):
    cmd = [sys.executable, "-m", "pip", "install", "-vv", "--disable-pip-version-check", "--no-cache-dir",
           "--no-input", "--target=./lib", "--index-url", index, "graft-pypi-energypricecalculator"]
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=300)


def test_pip_installs_with_the_token_in_the_url_and_gets_401_without(tmp_path, tokens):
    project = make_project(tmp_path)
    source = str(project / "src" / "price_calculator.py")
    with Gateway("--modules", source, args=["--authTokens", str(tokens)]) as calc:
        without = pip(project, "http://127.0.0.1:%d/simple/" % calc.http_port)
        assert without.returncode != 0 and "401" in without.stdout + without.stderr, without.stdout + without.stderr
        wrong = pip(project, "http://nope@127.0.0.1:%d/simple/" % calc.http_port)
        assert wrong.returncode != 0 and "401" in wrong.stdout + wrong.stderr
        good = pip(project, "http://%s@127.0.0.1:%d/simple/" % (GOOD, calc.http_port))
        assert good.returncode == 0, good.stdout + good.stderr
        assert (project / "lib" / "graft_pypi_energypricecalculator" / "__init__.py").exists()
        assert GOOD not in calc.output()


GRAFT_SCRIPT = """\
import asyncio
import os
from graft_pypi_energypricecalculator import EnergyPriceCalculator, Unauthenticated

try:
    print("price", asyncio.run(EnergyPriceCalculator.get_price()))
except Unauthenticated as e:
    host = os.environ["GRAFT_CONFIG"].split("host=")[1].split(";")[0]
    print("Unauthenticated", isinstance(e, PermissionError), "energy" in str(e).lower(), host in str(e))
"""


def graft_call(project, config, token_env=None):
    env = dict(os.environ, PYTHONPATH=str(project / "lib"), GRAFT_CONFIG=config)
    env.pop("GRAFT_TOKEN", None)
    if token_env is not None:
        env["GRAFT_TOKEN"] = token_env
    out = subprocess.run([sys.executable, "-c", GRAFT_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_a_graft_sends_its_token_and_raises_unauthenticated_without(tmp_path, tokens):
    project = make_project(tmp_path)
    source = str(project / "src" / "price_calculator.py")
    with Gateway("--modules", source, tcp=True, args=["--authTokens", str(tokens)]) as calc:
        assert pip(project, "http://%s@127.0.0.1:%d/simple/" % (BARE, calc.http_port)).returncode == 0
        host = "host=127.0.0.1:%d" % calc.tcp_port
        wheel = b"".join(p.read_bytes() for p in (project / "lib").rglob("*") if p.is_file())
        assert BARE.encode() not in wheel, "the token is never baked into the graft"
        assert graft_call(project, host) == ["Unauthenticated", "True", "False", "True"]
        assert graft_call(project, host + ";token=wrong") == ["Unauthenticated", "True", "False", "True"]
        assert graft_call(project, host, token_env="wrong-too") == ["Unauthenticated", "True", "False", "True"]
        said = graft_call(project, host + ";token=" + GOOD)
        assert said[0] == "price" and 100 <= int(said[1]) <= 104, said
        said = graft_call(project, host, token_env=BARE)
        assert said[0] == "price", said
        # token= wins over GRAFT_TOKEN.
        assert graft_call(project, host + ";token=" + GOOD, token_env="wrong")[0] == "price"
        assert GOOD not in calc.output() and BARE not in calc.output()


class Forwarder:
    """A TCP forwarder on 127.0.0.1 to `port`, as a proxy or load balancer
    in front of gg: what the graft connects to is not gg's own address."""

    def __init__(self, port):
        import socket
        import threading

        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(2)
                except OSError:
                    pass

    def close(self):
        self.listener.close()


UNAUTHENTICATED_SCRIPT = """\
import asyncio
from graft_pypi_energypricecalculator import EnergyPriceCalculator, Unauthenticated

try:
    asyncio.run(EnergyPriceCalculator.get_price())
except Unauthenticated as e:
    print(str(e))
"""


def test_unauthenticated_names_where_the_graft_connected_not_the_gateways_own_address(tmp_path, tokens):
    project = make_project(tmp_path)
    source = str(project / "src" / "price_calculator.py")
    with Gateway("--modules", source, tcp=True, args=["--authTokens", str(tokens)]) as calc:
        assert pip(project, "http://%s@127.0.0.1:%d/simple/" % (BARE, calc.http_port)).returncode == 0
        front = Forwarder(calc.tcp_port)
        try:
            messages = []
            for token in ("", ";token=wrong"):
                env = dict(os.environ, PYTHONPATH=str(project / "lib"),
                           GRAFT_CONFIG="host=127.0.0.1:%d%s" % (front.port, token))
                env.pop("GRAFT_TOKEN", None)
                out = subprocess.run([sys.executable, "-c", UNAUTHENTICATED_SCRIPT], env=env, capture_output=True,
                                     text=True, timeout=60)
                assert out.returncode == 0, out.stderr
                messages.append(out.stdout.strip())
        finally:
            front.close()
    for message in messages:
        assert message.startswith("Graft gateway at 127.0.0.1:%d refused the call: " % front.port), messages
        assert str(calc.tcp_port) not in message and "GRAFT_TOKEN" in message, messages
    assert "none was sent" in messages[0] and "not known" in messages[1], messages
