"""Tutorial steps 5 to 9: extract the price calculator, install its Graft from
the provider's own index with real pip, and switch the billing service between
remote and in-process with GRAFT_CONFIG alone. Processes stand in for containers."""

import os
import subprocess
import sys
import time

import pytest

from gateway import Gateway, free_port
from test_tutorial import make_project

GRAFT = "graft-pypi-energypricecalculator"

# Step 6: the only code change of the tutorial.
BILLING_WITH_GRAFT = """\
import os
from graft_pypi_energypricecalculator import GraftConfig, EnergyPriceCalculator

GraftConfig.set_config(os.environ.get("GRAFT_CONFIG"))


class BillingService:
    @staticmethod
    async def calculate_bill(kwh_used: int) -> int:
        price = await EnergyPriceCalculator.get_price()
        return kwh_used * price
"""


def provider(project, tcp_port=None, http_port=None, port=None):
    """Step 5: `gg --modules <abs>/src/price_calculator.py --httpPort 91 --port 90 --TCPServer --tcpPort=9092`."""
    http_port = http_port or free_port()
    port = port or free_port()
    tcp_port = tcp_port or free_port()
    args = ["--modules", str(project / "src" / "price_calculator.py"), "--httpPort", str(http_port), "--port", str(port),
            "--TCPServer", "--tcpPort=%d" % tcp_port, "--bind", "127.0.0.1"]
    return Gateway.raw(args, http_port=http_port, port=port, tcp_port=tcp_port)


def pip_install(project, index, *flags):
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir",
           "--target=./lib", *flags, index, GRAFT]
    out = subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def consumer(project, host):
    config = "name=%s;host=%s;runtime=python;modules=%s" % (GRAFT, host, project / "src")
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(project / "lib"))
    return Gateway("--modules", "./src/", cwd=project, env=env)


def bill(gg, kwh=250):
    return gg.call("BillingService", "calculate_bill", {"kwh_used": kwh}, timeout=30)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_steps_5_to_9(project):
    with provider(project) as calc:
        # Step 5: the price calculator alone, with its own Vision.
        assert 100 <= calc.call("EnergyPriceCalculator", "get_price").json() <= 104
        # Step 6: install the Graft from the provider's index, exactly as the tutorial (and Vision) say.
        pip_install(project, "http://localhost:%d/simple/" % calc.http_port, "--extra-index-url")
        assert (project / "lib" / "graft_pypi_energypricecalculator" / "py.typed").exists()
        (project / "src" / "billing_service.py").write_text(BILLING_WITH_GRAFT)

        # Step 7: the billing service calls the remote price calculator.
        with consumer(project, "127.0.0.1:%d" % calc.tcp_port) as billing:
            first = bill(billing)
            assert first.status == 200, first.body
            assert 25000 <= first.json() <= 26000

            # Step 9: stop the price calculator: a fast, clear connection error.
            calc.stop()
            started = time.monotonic()
            down = bill(billing)
            assert time.monotonic() - started < 10, "the call must fail fast, not hang"
            assert down.status == 500, down.body
            error = down.json()["error"]
            assert "127.0.0.1:%d" % calc.tcp_port in error["message"], error
            assert "onnect" in error["type"] + error["message"], error

            # ...and start it again: the next call works; the consumer was not restarted.
            with provider(project, tcp_port=calc.tcp_port, http_port=calc.http_port, port=calc.port):
                back = bill(billing)
                assert back.status == 200, back.body
                assert 25000 <= back.json() <= 26000

    # Step 8: host=inMemory runs in-process, with the provider down.
    with consumer(project, "inMemory") as billing:
        local = bill(billing)
        assert local.status == 200, local.body
        assert 25000 <= local.json() <= 26000


def test_results_prove_where_the_call_ran(project, tmp_path):
    """The provider runs a marked copy (prices 200 to 204): remote bills show it, in-memory ones don't."""
    marked = make_project(tmp_path / "marked")
    source = (marked / "src" / "price_calculator.py").read_text().replace("randint(100, 104)", "randint(200, 204)")
    (marked / "src" / "price_calculator.py").write_text(source)
    with provider(marked) as calc:
        pip_install(project, "http://127.0.0.1:%d/simple/" % calc.http_port, "--index-url")
        (project / "src" / "billing_service.py").write_text(BILLING_WITH_GRAFT)
        with consumer(project, "tcp://127.0.0.1:%d" % calc.tcp_port) as billing:
            assert 50000 <= bill(billing).json() <= 51000, "priced by the provider"
        with consumer(project, "inMemory") as billing:
            assert 25000 <= bill(billing).json() <= 26000, "priced in-process"


def test_unknown_host_form_is_an_error_not_a_fallback(project):
    with provider(project) as calc:
        pip_install(project, "http://127.0.0.1:%d/simple/" % calc.http_port, "--index-url")
    (project / "src" / "billing_service.py").write_text(BILLING_WITH_GRAFT)
    config = "name=%s;host=tpc://oops:1;runtime=python;modules=%s" % (GRAFT, project / "src")
    env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(project / "lib"))
    from gateway import run_gg

    out = run_gg("--modules", "./src/", "--port", "0", "--httpPort", "0", cwd=project, env=env)
    assert out.returncode == 1
    assert "host" in out.stderr and "tpc://oops:1" in out.stderr, out.stderr
