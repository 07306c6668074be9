"""Replicas over TLS with a token: a graft given `tls://` with several
addresses calls every replica over TLS, sending its token to each; without
the token each refuses it. Two real gg on 127.0.0.2 and 127.0.0.3 (one
port), every listener over TLS with one certificate naming both addresses
(made here with openssl), and `--authTokens` on."""

import asyncio
import collections
import ssl
import time
import urllib.request

import pytest

from replicas import Replica, configure, install_graft, ports, start
from test_tls import openssl, signed

IPS = ["127.0.0.2", "127.0.0.3"]
TOKEN = "replicas-over-tls-token"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "2", "-subj", "/CN=Graft replicas CA", cwd=folder)
    names = ",".join("IP:" + ip for ip in IPS)
    signed(folder, "server", "subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" % names)
    (folder / "tokens").write_text("ci=%s\n" % TOKEN)
    return folder


class TlsReplica(Replica):
    """A replica whose web side answers over https only."""

    def __init__(self, ip, shared, certs):
        args = ["--tlsCert", str(certs / "server.pem"), "--tlsKey", str(certs / "server.key"),
                "--authTokens", str(certs / "tokens"), "--drainDelay=0"]
        super().__init__(ip, shared, args)
        self.ctx = ssl.create_default_context(cafile=str(certs / "ca.pem"))

    def wait_ready(self, timeout=30):
        url = "https://%s:%d/readyz" % (self.ip, self.ports["http"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gg on %s exited:\n%s" % (self.ip, self.output())
            try:
                with urllib.request.urlopen(url, context=self.ctx, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("gg on %s did not become ready:\n%s" % (self.ip, self.output()))


@pytest.fixture(scope="module")
def graft(tmp_path_factory):
    first = start(IPS[:1], args=["--drainDelay=0"])
    try:
        return install_graft(first[0], tmp_path_factory.mktemp("lib"))
    finally:
        first[0].stop()


@pytest.fixture(scope="module")
def two(certs):
    shared = ports()
    replicas = [TlsReplica(ip, shared, certs).start(wait=False) for ip in IPS]
    try:
        for replica in replicas:
            replica.wait_ready()
        yield replicas
    finally:
        for replica in replicas:
            replica.stop()


def hosts(replicas):
    """One `tls://` for all the addresses (docs/CONFIG.md, "Replicas")."""
    return ["tls://" + ",".join(r.address for r in replicas)]


def test_tls_hosts_with_several_addresses_and_a_token(certs, graft, two):
    configure(graft, hosts(two), ca=certs / "ca.pem", token=TOKEN, balance="round_robin")

    async def main():
        return [await graft.Inventory.where() for _ in range(20)]

    seen = collections.Counter(who.split("/")[0] for who in asyncio.run(asyncio.wait_for(main(), 60)))
    assert seen == {ip: 10 for ip in IPS}, seen


def test_without_the_token_every_replica_refuses(certs, graft, two):
    configure(graft, hosts(two), ca=certs / "ca.pem", balance="round_robin")

    async def main():
        errors = []
        for _ in range(4):
            with pytest.raises(graft.Unauthenticated) as raised:
                await graft.Inventory.where()
            errors.append(str(raised.value))
        return errors

    errors = asyncio.run(asyncio.wait_for(main(), 60))
    for ip in IPS:
        assert any(ip in error for error in errors), errors
