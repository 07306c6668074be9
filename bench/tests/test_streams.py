"""The stream workloads' arithmetic and text: medians, ratios against gRPC, the targets of issue 13, the checks of items.

Run with `bench/.venv/bin/python -m unittest discover -s bench/tests` (bench/run.sh --smoke does).
"""

import asyncio
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients"))

import streams  # noqa: E402
import targets  # noqa: E402
from measure_streams import AnswerError, Workload, one_stream  # noqa: E402


def workload(rate, first_us, client_s=1.0, server_s=1.0, items=10_000, item_bytes=None):
    return {
        "items": items, "item_bytes": item_bytes, "streams": 10, "items_per_s": rate,
        "first_item_p50_us": first_us, "first_item_p90_us": first_us * 2, "stream_p50_ms": items / rate * 1e3,
        "cpu": {"client_s": client_s, "server_s": server_s, "items": items * 10},
    }


def system(rate, first_us, **kw):
    return {"available": True, "server_peak_rss_mb": 20.0,
            "workloads": {"small": workload(rate, first_us, **kw), "big": workload(rate / 10, first_us, items=256, item_bytes=65_536)}}


class Figures(unittest.TestCase):
    def runs(self):
        return [
            {"grpc": system(20_000.0, 900.0), "graft-remote": system(90_000.0, 200.0, server_s=0.5)},
            {"grpc": system(30_000.0, 700.0), "graft-remote": system(50_000.0, 400.0, server_s=0.5)},
            {"grpc": system(25_000.0, 800.0), "graft-remote": system(70_000.0, 300.0, server_s=0.5)},
        ]

    def test_medians_over_runs_and_cpu_per_item(self):
        summary = streams.medians(self.runs())
        small = summary["graft-remote"]["workloads"]["small"]
        self.assertEqual(small["items_per_s"], 70_000.0)
        self.assertEqual(small["first_item_p50_us"], 300.0)
        self.assertAlmostEqual(small["client_cpu_us_per_item"], 10.0)  # 1 s over 100,000 items
        self.assertAlmostEqual(small["server_cpu_us_per_item"], 5.0)
        self.assertIsNone(small["mb_per_s"])
        self.assertAlmostEqual(summary["grpc"]["workloads"]["big"]["mb_per_s"], 2_500.0 * 65_536 / 1e6)
        self.assertEqual(summary["graft-inmemory"], {"available": False, "reason": "not run"})

    def test_targets_from_the_medians(self):
        found = streams.check(streams.medians(self.runs()))
        small = {c["target"]: c for c in found["stream small"]}
        self.assertAlmostEqual(small["stream items/s >= 3x gRPC's"]["measured"], 70_000 / 25_000)
        self.assertFalse(small["stream items/s >= 3x gRPC's"]["holds"])
        self.assertAlmostEqual(small["time to first item <= 1/3 of gRPC's"]["measured"], 300 / 800)
        self.assertFalse(small["time to first item <= 1/3 of gRPC's"]["holds"])
        self.assertEqual([c["target"] for c in found["stream big"]], ["time to first item <= 1/3 of gRPC's"])
        text = targets.render_targets(found, markdown=True)
        row = [line for line in text.splitlines() if "items/s >= 3x" in line][0]
        self.assertEqual([c.strip() for c in row.split("|")][1:5], ["stream small", "stream items/s >= 3x gRPC's", "2.8", "NO"])

    def test_a_missing_system_makes_targets_not_applicable_and_keeps_its_reason(self):
        runs = [{"grpc": system(20_000.0, 900.0), "graft-remote": {"available": False, "reason": "pip failed"}}]
        summary = streams.medians(runs)
        self.assertTrue(all(c["holds"] is None for checks in streams.check(summary).values() for c in checks))
        self.assertIn("not available: pip failed", streams.tables(summary))


class Stream:
    """An async iterator over given items, as a driver's stream is."""

    def __init__(self, items):
        self.items = iter(items)

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self.items)
        except StopIteration:
            raise StopAsyncIteration from None


class Driver:
    unwrap = None

    def __init__(self, items):
        self.items = items


class Checks(unittest.TestCase):
    def run_stream(self, got, want):
        w = Workload("small", want, lambda d: Stream(d.items))
        return asyncio.run(one_stream(Driver(got), w))

    def test_the_right_items_in_order_pass_and_are_timed(self):
        first, total = self.run_stream([0, 1, 2], [0, 1, 2])
        self.assertGreater(first, 0)
        self.assertGreaterEqual(total, first)

    def test_a_wrong_item_a_short_stream_a_long_one_or_a_wrong_type_fail(self):
        for got in ([0, 2, 1], [0, 1], [0, 1, 2, 3], [], [0.0, 1, 2]):
            with self.subTest(got=got), self.assertRaises(AnswerError):
                self.run_stream(got, [0, 1, 2])


if __name__ == "__main__":
    unittest.main()
