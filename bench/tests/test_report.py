"""The harness's arithmetic and text: medians, ratios, targets, tables, the BENCHMARKS.md update.

Run with `bench/.venv/bin/python -m unittest discover -s bench/tests` (bench/run.sh --smoke does).
"""

import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients"))

import report  # noqa: E402
import targets  # noqa: E402
from measure import quantile  # noqa: E402


def method(p50, calls_per_s=100.0, client_s=1.0, server_s=1.0, calls=10_000, loop=None):
    seq = {"n": 100, "p50_us": p50, "p99_us": p50 * 2, "mean_us": p50}
    if loop is not None:
        seq["loop_mean_us"] = loop
    return {
        "seq": seq,
        "throughput": {"1": calls_per_s, "16": calls_per_s, "64": calls_per_s},
        "cpu": {"client_s": client_s, "server_s": server_s, "calls": calls},
    }


def system(p50, **kw):
    return {"available": True, "server_peak_rss_mb": 10.0, "methods": {m: method(p50, **kw) for m in ("add", "records", "bytes")}}


class Figures(unittest.TestCase):
    def test_quantile_is_nearest_rank(self):
        samples = list(range(1, 101))
        self.assertEqual(quantile(samples, 0.5), 50)
        self.assertEqual(quantile(samples, 0.99), 99)
        self.assertEqual(quantile([7], 0.99), 7)

    def test_medians_over_runs_and_ratios(self):
        runs = [
            {"grpc": system(600.0), "rest": system(1200.0), "graft-remote": system(100.0, calls_per_s=400.0)},
            {"grpc": system(800.0), "rest": system(1400.0), "graft-remote": system(300.0, calls_per_s=200.0)},
            {"grpc": system(700.0), "rest": system(1300.0), "graft-remote": system(200.0, calls_per_s=300.0)},
        ]
        summary = report.medians(runs)
        add = summary["graft-remote"]["methods"]["add"]
        self.assertEqual(add["p50_us"], 200.0)
        self.assertEqual(add["cpu_s_per_10k"], 2.0)
        self.assertAlmostEqual(add["ratios"]["p50_us_vs_grpc"], 200 / 700)
        self.assertAlmostEqual(add["ratios"]["p50_us_vs_rest"], 200 / 1300)
        self.assertEqual(add["ratios"]["calls_per_s_64_vs_grpc"], 3.0)
        self.assertFalse(summary["floor"]["available"])

    def test_a_system_not_available_keeps_its_reason(self):
        runs = [{"graft-remote": {"available": False, "reason": "pip could not install it"}}]
        summary = report.medians(runs)
        self.assertEqual(summary["graft-remote"], {"available": False, "reason": "pip could not install it"})
        self.assertIn("not available: pip could not install it", report.tables(summary))


class Targets(unittest.TestCase):
    def summary(self):
        run = {
            "direct": {"available": True, "methods": {m: method(0.1, loop=0.1) for m in ("add", "records", "bytes")}},
            "graft-inmemory": {"available": True, "methods": {m: method(1.0, loop=0.6) for m in ("add", "records", "bytes")}},
            "graft-remote": system(100.0, calls_per_s=9000.0, client_s=0.1, server_s=0.1),
            "grpc": system(600.0, calls_per_s=3000.0),
            "rest": system(1000.0),
            "floor": system(20.0),
        }
        return report.medians([run])

    def test_each_target_is_judged_from_the_medians(self):
        checks = {c["target"]: c for c in targets.check(self.summary(), "add")}
        self.assertTrue(checks["remote p50 <= 1/3 of gRPC's"]["holds"])  # 100 / 600
        self.assertTrue(checks["remote p50 <= 1/5 of REST's"]["holds"])  # 100 / 1000
        self.assertTrue(checks["CPU per call <= 1/8 of gRPC's"]["holds"])  # 0.2 / 2.0
        self.assertTrue(checks["throughput at 64 callers >= 3x gRPC's"]["holds"])  # 9000 / 3000
        self.assertFalse(checks["remote p50 <= 3x (Rust floor p50 + direct call p50)"]["holds"])  # 100 / 20.1
        overhead = checks["in-process overhead < 1 us over a direct call (us)"]
        self.assertAlmostEqual(overhead["measured"], 0.5)
        self.assertTrue(overhead["holds"])

    def test_a_call_on_an_object_is_judged_against_a_static_call(self):
        def remote(object_p50):
            methods = {"add": method(100.0), "object": method(object_p50)}
            return report.medians([{"graft-remote": {"available": True, "methods": methods}}])

        [within] = targets.check_object(remote(108.0))
        self.assertAlmostEqual(within["measured"], 1.08)
        self.assertTrue(within["holds"])
        [beyond] = targets.check_object(remote(115.0))
        self.assertFalse(beyond["holds"])
        self.assertIn("object", targets.all_targets(remote(100.0)))

    def test_tracing_is_judged_against_no_tracing_and_tls_against_grpc_over_tls(self):
        run = {"graft-remote": system(100.0), "graft-remote-traced": system(112.0), "grpc": system(600.0),
               "graft-remote-tls": system(130.0), "grpc-tls": system(650.0)}
        summary = report.medians([run])
        checks = {c["target"]: c for c in targets.check_variants(summary, "add")}
        self.assertAlmostEqual(checks["tracing on: remote p50 <= 1.1x tracing off"]["measured"], 1.12)
        self.assertFalse(checks["tracing on: remote p50 <= 1.1x tracing off"]["holds"])
        tls = checks["TLS: p50 /gRPC-TLS <= 1.1x p50 /gRPC in plain"]
        self.assertAlmostEqual(tls["measured"], (130 / 650) / (100 / 600))  # 1.2
        self.assertFalse(tls["holds"])
        ratios = summary["graft-remote-tls"]["methods"]["add"]["ratios"]
        self.assertAlmostEqual(ratios["p50_us_vs_grpc"], 130 / 650)  # the TLS row's gRPC is gRPC over TLS

    def test_a_missing_system_makes_a_target_not_applicable(self):
        summary = report.medians([{"grpc": system(600.0)}])
        self.assertTrue(all(c["holds"] is None for c in targets.check(summary, "add")))


class Document(unittest.TestCase):
    def test_markdown_cells_escape_pipes(self):
        text = report.render([["a", "x | y"]], ["name", "value"], markdown=True)
        self.assertIn("x \\| y", text)

    def test_into_document_replaces_only_between_markers_and_is_idempotent(self):
        saved = {
            "meta": {"argv": ["--runs", "1", "--bin-dir", "target/release"], "date": "D", "git_commit": "abc",
                     "cpu": "CPU", "nproc": 2, "memory_gib": 24, "load_after": [1.0, 1.0, 1.0]},
            "runs": [{"load_before": 0.5}],
            "summary": report.medians([{"grpc": system(600.0)}]),
        }
        saved["targets"] = targets.all_targets(saved["summary"])
        with tempfile.TemporaryDirectory() as tmp:
            doc = Path(tmp) / "B.md"
            doc.write_text("head\n<!-- results:start -->\nSTALE\n<!-- results:end -->\nmid\n<!-- targets:start -->\n<!-- targets:end -->\ntail\n")
            report.into_document(str(doc), saved)
            once = doc.read_text()
            report.into_document(str(doc), saved)
            self.assertEqual(doc.read_text(), once)
        self.assertNotIn("STALE", once)
        self.assertTrue(once.startswith("head\n") and once.endswith("tail\n"))
        self.assertIn("`bench/run.sh --runs 1`", once)
        self.assertIn("| gRPC (grpc.aio)", once)


if __name__ == "__main__":
    unittest.main()
