"""The tutorial's billing service calls the price calculator through Redis
in place of TCP (issue 19): the same code, one configuration value, and a
price calculator that may start after the call was made."""

import os

from broker_helpers import taking_calls
from gateway import Gateway, free_port
from redis_server import RedisServer
from test_microservice import BILLING_WITH_GRAFT, GRAFT, bill, pip_install
from test_tutorial import make_project


def calculator(project, redis):
    """Step 5 with --broker in place of --TCPServer."""
    http_port, port = free_port(), free_port()
    args = ["--modules", str(project / "src" / "price_calculator.py"), "--httpPort", str(http_port),
            "--port", str(port), "--bind", "127.0.0.1", "--broker", redis.url]
    return taking_calls(Gateway.raw(args, http_port=http_port, port=port))


def test_billing_prices_through_redis(tmp_path):
    project = make_project(tmp_path)
    with RedisServer() as redis:
        with calculator(project, redis) as calc:
            pip_install(project, "http://127.0.0.1:%d/simple/" % calc.http_port, "--index-url")
            (project / "src" / "billing_service.py").write_text(BILLING_WITH_GRAFT)
            config = "name=%s;host=%s;runtime=python;modules=%s" % (GRAFT, redis.url, project / "src")
            env = dict(os.environ, GRAFT_CONFIG=config, PYTHONPATH=str(project / "lib"))
            with Gateway("--modules", "./src/", cwd=project, env=env) as billing:
                first = bill(billing)
                assert first.status == 200, first.body
                assert 25000 <= first.json() <= 26000
                assert "protocol=broker" in calc.output(wait_for="protocol=broker") or \
                    '"protocol":"broker"' in calc.output()
                calc.stop()
                # The calculator is down: the bill waits in the queue until it is back.
                import threading
                late = {}
                waiting = threading.Thread(target=lambda: late.update(r=bill(billing)))
                waiting.start()
                with calculator(project, redis):
                    waiting.join(60)
                assert late["r"].status == 200, late["r"].body
                assert 25000 <= late["r"].json() <= 26000
