"""The command line: flags as the tutorial writes them, errors and exit statuses, signals."""

import os
import signal
import subprocess
import sys
import threading
import venv
from pathlib import Path

from gateway import GG, Gateway, free_port, request, run_gg

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "example" / "src"
FIXTURES = Path(__file__).parent / "fixtures"


def test_help_and_version():
    out = run_gg("--help")
    assert out.returncode == 0
    for flag in ["--modules", "--port", "--httpPort", "--TCPServer", "--tcpPort", "--bind", "--version"]:
        assert flag in out.stdout, flag
    version = run_gg("--VERSION")
    assert version.returncode == 0 and version.stdout.startswith("gg ")


def test_unknown_option_is_status_2():
    out = run_gg("--modules", str(EXAMPLE), "--prot", "8080")
    assert out.returncode == 2
    assert "--prot" in out.stderr


def test_missing_module_path_is_status_2():
    out = run_gg("--modules", "./no/such/place")
    assert out.returncode == 2
    assert "./no/such/place" in out.stderr and "does not exist" in out.stderr
    assert run_gg().returncode == 2


def test_bad_port_value_is_status_2():
    out = run_gg("--modules", str(EXAMPLE), "--port", "eighty")
    assert out.returncode == 2 and "eighty" in out.stderr


def test_import_failure_is_status_1_with_file_and_error():
    out = run_gg("--modules", str(FIXTURES / "broken" / "bad.py"), "--port", "0", "--httpPort", "0")
    assert out.returncode == 1
    assert "bad.py" in out.stderr and "SyntaxError" in out.stderr


def test_flags_in_any_case_with_equals_and_positional_module():
    port, http_port = free_port(), free_port()
    args = ["--PORT=%d" % port, "--HttpPort", str(http_port), "--tcpserver", "--TCPPORT=%d" % free_port(), "--BIND=127.0.0.1"]
    proc = subprocess.Popen([str(GG), str(EXAMPLE / "price_calculator.py"), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(http_port)
        price = request("http://127.0.0.1:%d/call/EnergyPriceCalculator/get_price" % port, data=b"", method="POST")
        assert 100 <= price.json() <= 104
        lib = request("http://127.0.0.1:%d/libraries" % http_port).json()
        assert [s["name"] for s in lib["services"]] == ["EnergyPriceCalculator"]
    finally:
        proc.terminate()
        proc.wait(10)


def test_comma_separated_modules():
    with Gateway("--modules", "%s,%s" % (EXAMPLE / "price_calculator.py", EXAMPLE / "billing_service.py")) as gg:
        assert 25000 <= gg.call("BillingService", "calculate_bill", {"kwh_used": 250}).json() <= 26000


def test_sigterm_lets_calls_in_flight_finish():
    env = dict(os.environ, PYTHONPATH=str(FIXTURES / "pythonpath"))
    gg = Gateway("--modules", str(FIXTURES / "svc"), env=env)
    result = {}
    t = threading.Thread(target=lambda: result.update(r=gg.call("Inventory", "sleep", {"seconds": 1.5})))
    t.start()
    import time

    time.sleep(0.5)
    code = gg.stop(signal.SIGTERM)
    t.join()
    assert result["r"].status == 200 and result["r"].json() == 1.5
    assert code == 0, gg.output()
    assert "stopping" in gg.output()


def test_ctrl_c_stops_cleanly():
    with Gateway("--modules", str(EXAMPLE)) as gg:
        assert gg.stop(signal.SIGINT) == 0


def test_embedded_python_sees_pip_packages_and_the_virtualenv(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    site = env_dir / "lib" / ("python%d.%d" % sys.version_info[:2]) / "site-packages"
    (site / "helper_on_path.py").write_text('GREETING = "hello from the virtualenv"\n')
    env = dict(os.environ, VIRTUAL_ENV=str(env_dir))
    env.pop("PYTHONPATH", None)
    with Gateway("--modules", str(FIXTURES / "svc"), env=env) as gg:
        assert gg.call("Inventory", "greet").json() == "hello from the virtualenv"
        # inventory.py imports pytest, installed by the README's set-up with the machine's pip.
        assert gg.call("Inventory", "add", {"a": 1}).json() == 2


def _wait(http_port, timeout=30):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if request("http://127.0.0.1:%d/status" % http_port, timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gg did not start")
