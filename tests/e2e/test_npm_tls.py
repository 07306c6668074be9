"""TypeScript grafts from a TLS gateway: npm installs over https given the CA
(the tarball links say https), and the graft calls over tls:// with a client
certificate (mutual TLS) and over https:// through fetch.
The certificates and TlsGateway are test_tls.py's."""

import json
import os
import shutil
import subprocess

from test_npm_graft import FIXTURES, TSC
from test_tls import TlsGateway, certs  # noqa: F401 - certs is a fixture

SUMS = {"sums": list(range(1, 21))}


def install(gg, certs, project):  # noqa: F811
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "c", "private": True, "type": "module"}))
    for name in ("adder.ts", "tsconfig.json", "tsconfig.adder.json"):
        shutil.copy(FIXTURES / "npm" / name, project / name)
    command = ["npm", "install", "--registry", gg.web + "/npm/", "--cafile", str(certs / "ca.pem"),
               "--cache", str(project / ".npm-cache"), "--no-audit", "--no-fund", "--fetch-retries", "0",
               "@graft/pypi-adder"]
    out = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    out = subprocess.run([str(TSC), "-p", "tsconfig.adder.json"], cwd=project, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def run(project, config, **env):
    env = dict(os.environ, GRAFT_CONFIG=config, **env)
    out = subprocess.run(["node", "out/adder.js"], cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def test_a_typescript_graft_over_mutual_tls(certs, tmp_path):  # noqa: F811
    with TlsGateway(certs, mtls=True) as gg:
        project = tmp_path / "project"
        install(gg, certs, project)
        doc = json.loads(subprocess.run(["curl", "-s", "--cacert", str(certs / "ca.pem"), gg.web + "/npm/@graft%2fpypi-adder"],
                                        capture_output=True, text=True, timeout=30).stdout)
        assert doc["versions"][doc["dist-tags"]["latest"]]["dist"]["tarball"].startswith("https://")
        tls = "host=tls://localhost:%d;ca=%s" % (gg.tcp_port, certs / "ca.pem")
        client = ";cert=%s;key=%s" % (certs / "client.pem", certs / "client.key")
        assert run(project, tls + client) == SUMS
        refused = run(project, tls)  # no client certificate
        assert refused["error"].startswith("Unavailable: "), refused
        untrusted = run(project, "host=tls://localhost:%d" % gg.tcp_port + client)  # the CA not given
        assert untrusted["error"].startswith("Unavailable: "), untrusted


def test_a_typescript_graft_over_https_fetch(certs, tmp_path):  # noqa: F811
    with TlsGateway(certs) as gg:
        project = tmp_path / "project"
        install(gg, certs, project)
        assert run(project, "host=https://localhost:%d" % gg.port, NODE_EXTRA_CA_CERTS=str(certs / "ca.pem")) == SUMS
        refused = run(project, "host=https://localhost:%d" % gg.port)  # the CA not trusted
        assert refused["error"].startswith("Unavailable: "), refused
