"""Health probes and SIGTERM's drain, against the real gg.

On SIGTERM /readyz answers 503 at once; calls are still accepted for
--drainDelay; then new connections are refused while calls in flight finish;
gg exits 0. A rolling restart of two gateways behind a balancer that routes
by /readyz (a small TCP proxy here, as a Kubernetes Service does) loses no
call."""

import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gateway import Gateway, request

FIXTURES = Path(__file__).parent / "fixtures"
ENV = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
SVC = ("--modules", str(FIXTURES / "svc"))


def status(url):
    try:
        return request(url, timeout=2).status
    except OSError:
        return None


def test_healthz_and_readyz_answer_while_serving():
    with Gateway(*SVC, env=ENV) as gg:
        assert request(gg.web + "/healthz").json() == {"status": "alive"}
        ready = request(gg.web + "/readyz")
        assert (ready.status, ready.json()) == (200, {"status": "ready"})
        assert request(gg.web + "/status").json()["status"] == "ready"


def test_sigterm_flips_readiness_then_drains_and_exits_0():
    args = ["--drainDelay", "2", "--drainTimeout", "10"]
    with Gateway(*SVC, args=args, env=ENV) as gg, ThreadPoolExecutor(2) as pool:
        slow = pool.submit(gg.call, "Inventory", "sleep", {"seconds": 3.5})
        time.sleep(0.5)  # the slow call is running
        gg.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        ready = request(gg.web + "/readyz")
        assert (ready.status, ready.json()) == (503, {"status": "draining"})
        assert request(gg.web + "/healthz").status == 200
        # Within --drainDelay, calls are still accepted.
        assert gg.call("Inventory", "add", {"a": 1, "b": 2}).json() == 3
        time.sleep(2.2)
        # Past it, no new connection is accepted; the slow call still finishes.
        refused = None
        try:
            socket.create_connection(("127.0.0.1", gg.port), timeout=2).close()
        except ConnectionRefusedError as err:
            refused = err
        assert refused is not None, "gg still accepts connections after --drainDelay"
        assert slow.result(timeout=10).json() == 3.5
        assert gg.process.wait(timeout=10) == 0
        assert "calls accepted for 2 s more (--drainDelay)" in gg.output()


class Balancer:
    """A TCP proxy that sends each new connection to a backend whose /readyz answers 200."""

    def __init__(self):
        self.backends = []  # Gateways
        self.lock = threading.Lock()
        self.ready = set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.turn = 0
        self.stopped = False
        threading.Thread(target=self._probe, daemon=True).start()
        threading.Thread(target=self._accept, daemon=True).start()

    def _probe(self):
        while not self.stopped:
            with self.lock:
                backends = list(self.backends)
            ready = {gg.port for gg in backends if status(gg.web + "/readyz") == 200}
            with self.lock:
                self.ready = ready
            time.sleep(0.05)

    def wait_ready(self, gg, timeout=10):
        deadline = time.monotonic() + timeout
        while gg.port not in self.ready:
            assert time.monotonic() < deadline, "the balancer never saw gg ready"
            time.sleep(0.02)

    def _pick(self):
        with self.lock:
            ports = sorted(self.ready)
            self.turn += 1
        return ports[self.turn % len(ports)] if ports else None

    def _accept(self):
        while not self.stopped:
            client, _ = self.listener.accept()
            port = self._pick()
            if port is None:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                client.close()  # the call fails, and the test sees it
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _pipe(src, dst):
    try:
        while data := src.recv(65536):
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def test_a_rolling_restart_behind_a_readiness_balancer_loses_no_call():
    args = ["--drainDelay", "1", "--drainTimeout", "10"]
    balancer = Balancer()
    balancer.backends = [Gateway(*SVC, args=args, env=ENV) for _ in range(2)]
    outcomes, stop = [], threading.Event()
    for gg in balancer.backends:
        balancer.wait_ready(gg)

    def load(n):
        while not stop.is_set():
            # A call in three sleeps 0.3 s, so calls are in flight at each SIGTERM.
            args = {"seconds": 0.3} if n % 3 == 0 else {"a": n, "b": 1}
            method = "sleep" if n % 3 == 0 else "add"
            url = "http://127.0.0.1:%d/call/Inventory/%s" % (balancer.port, method)
            try:
                outcomes.append(request(url, data=args, timeout=15).status)
            except OSError as err:
                outcomes.append(repr(err))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    try:
        for i in range(2):  # replace each of the two, one at a time
            time.sleep(1.0)
            old = balancer.backends[i]
            new = Gateway(*SVC, args=args, env=ENV)
            with balancer.lock:
                balancer.backends.append(new)
            balancer.wait_ready(new)  # as a rolling update waits for the new pod
            assert old.stop(timeout=20) == 0, old.output()
            with balancer.lock:
                balancer.backends[i] = balancer.backends.pop()
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)
        balancer.stopped = True
        for gg in balancer.backends:
            gg.stop()
    failed = [o for o in outcomes if o != 200]
    assert len(outcomes) > 50, outcomes
    assert not failed, "%d of %d calls failed: %s" % (len(failed), len(outcomes), failed[:5])
