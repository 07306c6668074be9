"""The benchmark's figures: medians over runs, the table with ratios, the targets of issue 4.

Input is what bench/harness.py gathers: for each run, for each system,
either the client's figures per method or the reason it is not available.
"""

import statistics
from pathlib import Path
from typing import Any, Dict, List, Optional

SYSTEMS = [
    ("direct", "direct Python call"),
    ("graft-inmemory", "Graft in-process"),
    ("graft-remote", "Graft remote (gg TCP)"),
    ("graft-balanced", "Graft remote, balancer, 1 replica"),
    ("graft-replicas-3", "Graft remote, 3 replicas"),
    ("graft-remote-traced", "Graft remote, tracing on (OTLP)"),
    ("graft-remote-tls", "Graft remote over TLS"),
    ("grpc", "gRPC (grpc.aio)"),
    ("grpc-tls", "gRPC over TLS"),
    ("rest", "REST (FastAPI+httpx)"),
    ("graft-redis", "Graft through Redis (gg --broker)"),
    ("celery-redis", "Celery with Redis"),
    ("floor", "Rust echo floor"),
    ("node-graft", "Node caller, TypeScript graft (gg TCP)"),
    ("node-grpc", "Node caller, @grpc/grpc-js"),
]
LABELS = dict(SYSTEMS)
METHODS = [
    ("add", "add(a: int, b: int) -> int"),
    ("records", "echo_records(10,000 dataclass records) -> the same"),
    ("bytes", "echo_bytes(1,000,000 bytes) -> the same"),
    ("object", "add(a, b) on an object: Tally.add, the Tally made once (remote: living on gg)"),
]
LEVELS = ("1", "16", "64")


def figures(method: Dict[str, Any]) -> Dict[str, Optional[float]]:
    """One run of one method, as the flat figures the table shows."""
    cpu = method["cpu"]
    out: Dict[str, Optional[float]] = {
        "p50_us": method["seq"]["p50_us"],
        "p99_us": method["seq"]["p99_us"],
        "mean_us": method["seq"]["mean_us"],
        "loop_mean_us": method["seq"].get("loop_mean_us"),
        "cpu_s_per_10k": (cpu["client_s"] + cpu["server_s"]) / cpu["calls"] * 10_000,
        "client_cpu_s_per_10k": cpu["client_s"] / cpu["calls"] * 10_000,
        "server_cpu_s_per_10k": cpu["server_s"] / cpu["calls"] * 10_000,
    }
    for level in LEVELS:
        out["calls_per_s_%s" % level] = method["throughput"].get(level)
    return out


def medians(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Per system: the median of each figure over the runs where it answered."""
    summary: Dict[str, Any] = {}
    for system, _ in SYSTEMS:
        done = [r[system] for r in runs if system in r and r[system].get("available")]
        if not done:
            reasons = [r[system].get("reason", "") for r in runs if system in r]
            summary[system] = {"available": False, "reason": reasons[-1] if reasons else "not run"}
            continue
        entry: Dict[str, Any] = {"available": True, "runs": len(done), "methods": {}}
        for method, _ in METHODS:
            per_run = [figures(d["methods"][method]) for d in done if method in d["methods"]]
            if per_run:
                entry["methods"][method] = {k: _median([f[k] for f in per_run]) for k in per_run[0]}
        entry["server_peak_rss_mb"] = _median([d.get("server_peak_rss_mb") for d in done])
        entry["client_peak_rss_mb"] = _median([d.get("client_peak_rss_mb") for d in done])
        summary[system] = entry
    for system, _ in SYSTEMS:
        for method, figs in summary[system].get("methods", {}).items():
            figs["ratios"] = ratios(summary, system, method)
    return summary


RATIO_FIGURES = ("p50_us", "p99_us", "calls_per_s_1", "calls_per_s_16", "calls_per_s_64", "cpu_s_per_10k")


def ratios(summary: Dict[str, Any], system: str, method: str) -> Dict[str, Optional[float]]:
    """Each figure divided by gRPC's (over TLS for Graft over TLS, from Node for Node) and by REST's, as the table's ratio columns."""
    out: Dict[str, Optional[float]] = {}
    grpc = grpc_of(system)
    for figure in RATIO_FIGURES:
        for other, name in ((grpc, "grpc"), ("rest", "rest")):
            out["%s_vs_%s" % (figure, name)] = _ratio(_get(summary, system, method, figure), _get(summary, other, method, figure))
    return out


def grpc_of(system: str) -> str:
    """The gRPC system a system is compared with: the same caller and transport security."""
    return {"graft-remote-tls": "grpc-tls", "node-graft": "node-grpc"}.get(system, "grpc")


def _median(values: List[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _get(summary: Dict[str, Any], system: str, method: str, key: str) -> Optional[float]:
    entry = summary.get(system, {})
    if not entry.get("available"):
        return None
    return entry["methods"].get(method, {}).get(key)


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def _num(v: Optional[float]) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return "{:,.0f}".format(v)
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v if v >= 0.1 else "%.3f" % v


def _pair(a: Optional[float], b: Optional[float]) -> str:
    return "%s / %s" % (_num(a), _num(b))


HEADER = ["system", "p50 us", "p99 us", "calls/s @1", "@16", "@64", "CPU s/10k", "srv RSS MB",
          "p50 /gRPC /REST", "@64 /gRPC /REST", "CPU /gRPC /REST"]


def table_rows(summary: Dict[str, Any], method: str) -> List[List[str]]:
    rows = []
    for system, label in SYSTEMS:
        entry = summary.get(system, {})
        if not entry.get("available"):
            rows.append([label, "not available: " + str(entry.get("reason", "not run"))])
            continue
        g = lambda s, k: _get(summary, s, method, k)  # noqa: E731
        rss, grpc = entry.get("server_peak_rss_mb"), grpc_of(system)
        rows.append([
            label, _num(g(system, "p50_us")), _num(g(system, "p99_us")),
            *(_num(g(system, "calls_per_s_%s" % level)) for level in LEVELS),
            _num(g(system, "cpu_s_per_10k")),
            _num(rss) if rss is not None else "(in caller)",
            _pair(_ratio(g(system, "p50_us"), g(grpc, "p50_us")), _ratio(g(system, "p50_us"), g("rest", "p50_us"))),
            _pair(_ratio(g(system, "calls_per_s_64"), g(grpc, "calls_per_s_64")),
                  _ratio(g(system, "calls_per_s_64"), g("rest", "calls_per_s_64"))),
            _pair(_ratio(g(system, "cpu_s_per_10k"), g(grpc, "cpu_s_per_10k")),
                  _ratio(g(system, "cpu_s_per_10k"), g("rest", "cpu_s_per_10k"))),
        ])
    return rows


def render(rows: List[List[str]], header: List[str], markdown: bool, left: tuple = (0,)) -> str:
    full = [r for r in rows if len(r) == len(header)]
    widths = [max(len(r[i]) for r in [header, *full]) for i in range(len(header))]
    widths[0] = max(len(r[0]) for r in [header, *rows])
    lines = []
    if markdown:
        rows = [[c.replace("|", "\\|") for c in row] for row in rows]
    for n, row in enumerate([header, *rows]):
        if len(row) != len(header):
            cells = [row[0], row[1]] + [""] * (len(header) - 2) if markdown else [row[0].ljust(widths[0]), row[1]]
            lines.append("| " + " | ".join(cells) + " |" if markdown else "  ".join(cells))
            continue
        cells = [c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |" if markdown else "  ".join(cells))
        if markdown and n == 0:
            lines.append("| " + " | ".join("---" if i in left else "---:" for i in range(len(header))) + " |")
    return "\n".join(lines)


def tables(summary: Dict[str, Any], markdown: bool = False) -> str:
    parts = []
    for method, title in METHODS:
        parts.append(("#### " if markdown else "== ") + title)
        parts.append(render(table_rows(summary, method), HEADER, markdown))
        parts.append("")
    return "\n".join(parts)



def provenance(saved: Dict[str, Any]) -> str:
    """One paragraph saying where a saved run's figures come from."""
    meta = saved["meta"]
    loads = ", ".join("%.1f" % r["load_before"] for r in saved["runs"])
    argv = list(meta.get("argv", []))
    if "--bin-dir" in argv:
        del argv[argv.index("--bin-dir"):argv.index("--bin-dir") + 2]
    return (
        "%d run(s) of `bench/run.sh%s`, %s, commit %s, %s, %s vCPUs, %s GiB; load average before each run %s, "
        "%.1f after the last." % (
            len(saved["runs"]), "".join(" " + a for a in argv), meta["date"], meta["git_commit"],
            meta["cpu"], meta["nproc"], meta["memory_gib"], loads, meta["load_after"][0],
        )
    )


def into_document(path: str, saved: Dict[str, Any]) -> None:
    """Replaces the results and targets sections of BENCHMARKS.md (between their markers) with a saved run."""
    import re

    import targets

    text = Path(path).read_text()
    sections = {
        "results": provenance(saved) + "\n\n" + tables(saved["summary"], markdown=True),
        "targets": targets.render_targets(saved["targets"], markdown=True),
    }
    for name, body in sections.items():
        pattern = re.compile(r"(<!-- %s:start -->\n).*?(<!-- %s:end -->)" % (name, name), re.S)
        text, found = pattern.subn(lambda m: m.group(1) + body.strip() + "\n" + m.group(2), text)
        if not found:
            raise SystemExit("%s has no %s markers" % (path, name))
    Path(path).write_text(text)


if __name__ == "__main__":
    # `python bench/report.py results.json [--markdown] [--into BENCHMARKS.md]`: a saved run, again.
    import json
    import sys

    import targets

    saved = json.loads(Path(sys.argv[1]).read_text())
    if "--into" in sys.argv:
        into_document(sys.argv[sys.argv.index("--into") + 1], saved)
        sys.exit(0)
    as_markdown = "--markdown" in sys.argv
    print(tables(saved["summary"], markdown=as_markdown))
    print(targets.render_targets(saved["targets"], markdown=as_markdown))
