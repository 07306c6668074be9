"""The systems measured with TLS or tracing on (issue 15), beside the plain ones.

- `graft-remote-traced`: gg with OTEL_EXPORTER_OTLP_ENDPOINT set to an
  OTLP/HTTP sink on this machine (bench/servers/otlp_sink.py), so each call's
  span is built, batched and sent: the cost of tracing per call.
- `graft-remote-tls`: gg with --tlsCert/--tlsKey, the Graft on `host=tls://` with `ca=`.
- `grpc-tls`: the same gRPC server on `ssl_server_credentials`, the client on
  `ssl_channel_credentials`.
The certificates (a P-256 CA and a server certificate for 127.0.0.1) are
made once per invocation with the openssl CLI.
"""

import contextlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple

from processes import Server, free_port

BENCH = Path(__file__).resolve().parent
SYSTEMS = ("graft-remote-traced", "graft-remote-tls", "grpc-tls")
# The gRPC system each is compared with in the ratio columns.
GRPC_OF = {"graft-remote-tls": "grpc-tls"}


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def certificates(work: Path) -> Path:
    """`ca.pem`, and `server.pem` with `server.key` for 127.0.0.1, in `work/tls` (made on first use)."""
    folder = work / "tls"
    if (folder / "server.pem").exists():
        return folder
    folder.mkdir()
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    _openssl(folder, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=bench CA")
    _openssl(folder, "req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _openssl(folder, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return folder


@contextlib.contextmanager
def serving(bench: Any, system: str) -> Iterator[Tuple[Optional[Server], str]]:
    """The system's server, running, and the client's target (`host:port`, then `;ca=<file>` for TLS)."""
    if system == "graft-remote-traced":
        port = free_port()
        with Server("otlp-sink", [sys.executable, str(BENCH / "servers" / "otlp_sink.py"), str(port)], bench.work) as sink:
            sink.wait_tcp(port)
            env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:%d" % port, "OTEL_SERVICE_NAME": "bench"}
            with bench.start_gg(env=env) as gg:
                yield gg, "127.0.0.1:%d" % gg.tcp_port
        return
    tls = certificates(bench.work)
    ca = ";ca=%s" % (tls / "ca.pem")
    if system == "graft-remote-tls":
        with bench.start_gg(tls=tls) as gg:
            yield gg, "tls://127.0.0.1:%d%s" % (gg.tcp_port, ca)
        return
    port = free_port()
    args = [sys.executable, str(BENCH / "servers" / "grpc_server.py"), str(port), str(tls / "server.pem"), str(tls / "server.key")]
    with Server(system, args, bench.work, env=bench.client_env()) as server:
        server.wait_tcp(port)
        yield server, "127.0.0.1:%d%s" % (port, ca)
