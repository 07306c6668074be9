"""The systems measured with several replicas (issue 16), beside the plain ones.

- `graft-balanced`: one gg, the Graft on `host=localhost:<port>`: a name, so
  its calls go through the balancer (graft_runtime/replicas.py) to the one
  address it resolves to. Against `graft-remote` (`host=127.0.0.1:<port>`,
  one plain connection) it is the balancer's cost per call.
- `graft-replicas-3`: three gg on 127.0.0.2, 127.0.0.3 and 127.0.0.4 (the
  same port; all of 127/8 is loopback here), the Graft on
  `host=127.0.0.2:<port>,127.0.0.3:<port>,127.0.0.4:<port>`. Against
  `graft-balanced` at 64 callers: what three replicas buy on this machine.
The server CPU and memory columns are those of the first replica.
"""

import contextlib
from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple

from processes import Server, free_port, StartError

SYSTEMS = ("graft-balanced", "graft-replicas-3")
REPLICAS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
SERVICE = Path(__file__).resolve().parent / "service" / "bench_service.py"


@contextlib.contextmanager
def serving(bench: Any, system: str) -> Iterator[Tuple[Optional[Server], str]]:
    """The system's first gg, running (with the others), and the client's target."""
    if system == "graft-balanced":
        with bench.start_gg() as gg:
            yield gg, "localhost:%d" % gg.tcp_port
        return
    ports = (free_port(), free_port(), free_port())
    with contextlib.ExitStack() as stack:
        servers: List[Server] = [stack.enter_context(_replica(bench, ip, ports)) for ip in REPLICAS]
        yield servers[0], ",".join("%s:%d" % (ip, ports[2]) for ip in REPLICAS)


def _replica(bench: Any, ip: str, ports: Tuple[int, int, int]) -> Server:
    port, http_port, tcp_port = ports
    gg = bench.bin / "gg"
    args = [str(gg), "--modules", str(SERVICE), "--port", str(port), "--httpPort", str(http_port),
            "--bind", ip, "--TCPServer", "--tcpPort=%d" % tcp_port]
    server = Server("gg-%s" % ip, args, bench.work)
    try:
        server.wait_http("http://%s:%d/status" % (ip, http_port))
    except StartError:
        server.stop()
        raise
    return server
