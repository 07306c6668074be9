"""TLS and mutual TLS against the real gg (--tlsCert, --tlsKey, --tlsClientCa).

The certificates are made here with the openssl CLI: a CA, two server
certificates for 127.0.0.1 and localhost (the second for rotation), and a
client certificate. HTTP goes through urllib with an SSLContext, the grafts
are installed by real pip over https and call with `host=tls://...`.
"""

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gateway import Gateway

ADDER = Path(__file__).parent / "fixtures" / "tls" / "adder.py"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def signed(folder, name, ext, ca="ca"):
    """A P-256 key and a certificate for it signed by `ca`, with the extensions `ext`."""
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
            "-out", name + ".csr", "-subj", "/CN=" + name, cwd=folder)
    (folder / (name + ".ext")).write_text(ext)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
            "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext", cwd=folder)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "2", "-subj", "/CN=Graft test CA", cwd=folder)
    server = "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    signed(folder, "server", server)
    signed(folder, "rotated", server)
    signed(folder, "client", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    return folder


def context(certs, client=False):
    ctx = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    if client:
        ctx.load_cert_chain(str(certs / "client.pem"), str(certs / "client.key"))
    return ctx


class TlsGateway(Gateway):
    """gg over TLS; its `/status` is read over https."""

    def __init__(self, certs, *args, mtls=False, cert="server"):
        self.ctx = context(certs)
        self.files = Path(str(certs)) / "live"
        self.files.mkdir(exist_ok=True)
        for ext in ("pem", "key"):
            (self.files / ("gg." + ext)).write_bytes((certs / (cert + "." + ext)).read_bytes())
        tls = ["--tlsCert", str(self.files / "gg.pem"), "--tlsKey", str(self.files / "gg.key")]
        if mtls:
            tls += ["--tlsClientCa", str(certs / "ca.pem")]
        super().__init__("--modules", str(ADDER), *tls, *args, tcp=True)

    @property
    def calls(self):
        return "https://127.0.0.1:%d" % self.port

    @property
    def web(self):
        return "https://127.0.0.1:%d" % self.http_port

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gg exited:\n" + self.output()
            try:
                if get(self.web + "/status", self.ctx).status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("gg did not become ready:\n" + self.output())


def get(url, ctx, data=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    return urllib.request.urlopen(req, timeout=10, context=ctx)


def add(gg, ctx, a=1, b=2):
    with get(gg.calls + "/call/Adder/add", ctx, json.dumps({"a": a, "b": b}).encode()) as r:
        return json.loads(r.read())


def served_cert(port):
    """The DER of the certificate gg presents on `port` now."""
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


def der(certs, name):
    return ssl.PEM_cert_to_DER_cert((certs / (name + ".pem")).read_text())


def pip_install(gg, target, *extra, env=None):
    # pip's requests takes REQUESTS_CA_BUNDLE over --cert and PIP_CERT: set on this machine, it goes.
    env = {k: v for k, v in (env or os.environ).items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir", "--target",
         str(target), "--index-url", gg.web + "/simple/", *extra, "graft-pypi-adder"],
        capture_output=True, text=True, timeout=300, env=env,
    )


@pytest.fixture(scope="module")
def lib(certs, tmp_path_factory):
    """graft-pypi-adder installed by pip over https, the CA given with --cert and with PIP_CERT."""
    target = tmp_path_factory.mktemp("lib")
    with TlsGateway(certs) as gg:
        refused = pip_install(gg, tmp_path_factory.mktemp("untrusted"), "--retries", "0")
        assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stdout + refused.stderr
        by_flag = pip_install(gg, tmp_path_factory.mktemp("by-flag"), "--cert", str(certs / "ca.pem"))
        assert by_flag.returncode == 0, by_flag.stdout + by_flag.stderr
        out = pip_install(gg, target, env=dict(os.environ, PIP_CERT=str(certs / "ca.pem")))
    assert out.returncode == 0, out.stdout + out.stderr
    return target


CALLER = """
import asyncio, json, sys, time
from graft_pypi_adder import Adder
async def batch(n):
    return await asyncio.gather(*(Adder.add(i, 1) for i in range(n)), return_exceptions=True)
until, done, failed = time.monotonic() + float(sys.argv[1]), 0, []
while True:
    for i, r in enumerate(asyncio.run(batch(20))):  # a new loop: a new connection, a new handshake
        if r == i + 1: done += 1
        else: failed.append(repr(r))
    if time.monotonic() > until: break
print(json.dumps({"done": done, "failed": failed[:5]}))
"""


def graft(lib, config, seconds=0.0, script=CALLER):
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(lib))
    return subprocess.Popen([sys.executable, "-c", script, str(seconds)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def outcome(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    return out.strip() and json.loads(out.splitlines()[-1]), err


def test_every_listener_serves_tls_and_a_graft_calls_over_it(certs, lib):
    with TlsGateway(certs) as gg:
        assert add(gg, gg.ctx) == 3
        assert get(gg.web + "/GV", gg.ctx).status == 200
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            get(gg.web + "/status", ssl.create_default_context())  # not signed by the system's roots
        for port in (gg.port, gg.http_port, gg.tcp_port):
            assert served_cert(port) == der(certs, "server")
        config = "host=tls://localhost:%d;ca=%s" % (gg.tcp_port, certs / "ca.pem")
        result, err = outcome(graft(lib, config))
        assert result == {"done": 20, "failed": []}, err
        untrusted, err = outcome(graft(lib, "host=tls://127.0.0.1:%d" % gg.tcp_port))
        assert untrusted["done"] == 0 and "is not trusted" in untrusted["failed"][0], untrusted


def test_mtls_refuses_a_client_without_a_certificate(certs, lib):
    with TlsGateway(certs, mtls=True) as gg:
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            add(gg, gg.ctx)
        assert add(gg, context(certs, client=True)) == 3
        assert get(gg.web + "/status", gg.ctx).status == 200, "the web side asks for no client certificate"
        host = "host=tls://127.0.0.1:%d;ca=%s" % (gg.tcp_port, certs / "ca.pem")
        refused, err = outcome(graft(lib, host))
        assert refused["done"] == 0 and "requires a client certificate" in refused["failed"][0], refused
        mine = ";cert=%s;key=%s" % (certs / "client.pem", certs / "client.key")
        result, err = outcome(graft(lib, host + mine))
        assert result == {"done": 20, "failed": []}, err


def test_a_plain_client_of_a_tls_gateway_gets_a_clear_error_at_once(certs, lib):
    with TlsGateway(certs) as gg:
        started = time.monotonic()
        result, err = outcome(graft(lib, "host=127.0.0.1:%d" % gg.tcp_port))
        assert result["done"] == 0 and "host=tls://" in result["failed"][0], result
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen(gg.calls.replace("https", "http") + "/call/Adder/add", data=b"{}", timeout=5)
        assert time.monotonic() - started < 5, "an error, not a wait for a timeout"


def test_a_certificate_rotated_under_load_fails_no_call(certs, lib):
    with TlsGateway(certs) as gg:
        config = "host=tls://localhost:%d;ca=%s" % (gg.tcp_port, certs / "ca.pem")
        caller = graft(lib, config, seconds=6.0)
        http_failures, http_done, stop = [], [0], threading.Event()

        def http_load():
            while not stop.is_set():
                try:
                    assert add(gg, gg.ctx, 2, 2) == 4
                    http_done[0] += 1
                except Exception as e:  # noqa: BLE001 - every failure is reported
                    http_failures.append(repr(e))
        loader = threading.Thread(target=http_load)
        loader.start()
        time.sleep(2.0)
        for ext in ("pem", "key"):  # each file replaced whole, one after the other
            fresh = gg.files / ("new." + ext)
            fresh.write_bytes((certs / ("rotated." + ext)).read_bytes())
            os.replace(fresh, gg.files / ("gg." + ext))
        result, err = outcome(caller)
        stop.set()
        loader.join()
        assert result["failed"] == [] and result["done"] > 100, (result, err)
        assert http_failures == [] and http_done[0] > 20, (http_failures[:3], http_done)
        for port in (gg.port, gg.http_port, gg.tcp_port):
            assert served_cert(port) == der(certs, "rotated")
        assert "loaded the new certificate" in gg.output()
