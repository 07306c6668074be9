"""Tutorial steps 1 to 4, replayed against the real gg binary (processes stand in for containers)."""

import json
import textwrap

from gateway import Gateway, request

PYPROJECT = """\
[project]
name = "energy-platform"
version = "1.0.0"
requires-python = ">=3.8"
description = "Energy platform - switches between monolith and microservice deployments"
"""

PRICE_CALCULATOR = """\
import random


class EnergyPriceCalculator:
    @staticmethod
    def get_price() -> int:
        return random.randint(100, 104)
"""

BILLING_SERVICE = """\
from price_calculator import EnergyPriceCalculator


class BillingService:
    @staticmethod
    def calculate_bill(kwh_used: int) -> int:
        price = EnergyPriceCalculator.get_price()
        return kwh_used * price
"""


def make_project(root):
    """Steps 1 to 3: the project folder, pyproject.toml and the two modules."""
    project = root / "py-energy-platform"
    (project / "src").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "src" / "price_calculator.py").write_text(PRICE_CALCULATOR)
    (project / "src" / "billing_service.py").write_text(BILLING_SERVICE)
    return project


def test_steps_1_to_4_monolith(tmp_path):
    project = make_project(tmp_path)
    # Step 4: `gg --modules ./src/`, run from the project folder.
    with Gateway("--modules", "./src/", cwd=project) as gg:
        out = gg.output()
        assert "BillingService" in out and "EnergyPriceCalculator" in out, out
        assert "/GV" in out and str(gg.http_port) in out, out

        page = request(gg.web + "/GV")
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
        libraries = request(gg.web + "/libraries").json()
        methods = {s["name"]: [m["name"] for m in s["methods"]] for s in libraries["services"]}
        assert methods == {"BillingService": ["calculate_bill"], "EnergyPriceCalculator": ["get_price"]}
        assert libraries["project"] == {"name": "energy-platform", "version": "1.0.0"}

        bill = gg.call("BillingService", "calculate_bill", {"kwh_used": 250})
        assert bill.status == 200, bill.body
        assert 25000 <= bill.json() <= 26000
        by_position = gg.call("BillingService", "calculate_bill", [250]).json()
        assert 25000 <= by_position <= 26000
        price = gg.call("EnergyPriceCalculator", "get_price")
        assert price.status == 200 and 100 <= price.json() <= 104

        # Vision's own origin serves the call API too, for the page's forms.
        same_origin = request(gg.web + "/call/BillingService/calculate_bill", data={"kwh_used": 1})
        assert 100 <= same_origin.json() <= 104


def test_openapi_describes_the_call_api(tmp_path):
    from openapi_spec_validator import validate

    project = make_project(tmp_path)
    with Gateway("--modules", str(project / "src")) as gg:
        doc = request(gg.web + "/openapi.json").json()
        validate(doc)
        assert doc["openapi"].startswith("3.1")
        op = doc["paths"]["/call/BillingService/calculate_bill"]["post"]
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        assert schema["properties"]["kwh_used"]["type"] == "integer"
        assert schema["required"] == ["kwh_used"]
        assert {"200", "400", "404", "500"} <= set(op["responses"])


def test_interface_lists_types_defaults_and_docs():
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures"
    env = _env(PYTHONPATH=str(fixtures / "pythonpath"))
    with Gateway("--modules", str(fixtures / "svc"), env=env) as gg:
        lib = request(gg.web + "/libraries").json()
        inv = next(s for s in lib["services"] if s["name"] == "Inventory")
        assert inv["doc"] == "Keeps stock."
        add = next(m for m in inv["methods"] if m["name"] == "add")
        assert add["doc"] == "Adds two numbers."
        assert [p["type"] for p in add["params"]] == [{"kind": "int"}, {"kind": "int"}]
        assert add["params"][1]["default"]["json"] == 1
        assert {t["name"]: t["kind"] for t in lib["types"]} == {"Stock": "dataclass", "Unit": "enum", "OutOfStock": "exception"}
        assert inv["exceptions"] == ["OutOfStock"]
        stock = gg.call("Inventory", "stock", {"sku": "A1", "count": 3, "unit": "box"})
        assert stock.json() == {"sku": "A1", "count": 3, "unit": "box"}
        assert gg.call("Inventory", "blob", {"data": "AAEC"}).json() == "AgEA"
        assert gg.call("Inventory", "big").json() == 2**63 - 1
        assert json.loads(gg.call("Inventory", "greet").body) == "hello from PYTHONPATH"


def _env(**extra):
    import os

    env = dict(os.environ)
    env.update(extra)
    return env


def test_readme_example_is_the_tutorials():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert (root / "example" / "src" / "price_calculator.py").read_text() == PRICE_CALCULATOR
    assert (root / "example" / "src" / "billing_service.py").read_text() == BILLING_SERVICE
    assert (root / "example" / "pyproject.toml").read_text() == textwrap.dedent(PYPROJECT)
