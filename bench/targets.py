"""The targets of issue 4, checked against the medians: reported, never asserted."""

from typing import Any, Dict, List, Optional

from report import METHODS, _get, _num, render


def _check(name: str, measured: Optional[float], limit: float, at_most: bool, detail: str) -> Dict[str, Any]:
    holds = None if measured is None else (measured <= limit if at_most else measured >= limit)
    return {"target": name, "measured": measured, "limit": limit, "at_most": at_most, "holds": holds, "detail": detail}


def _div(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def check(summary: Dict[str, Any], method: str) -> List[Dict[str, Any]]:
    g = lambda s, k: _get(summary, s, method, k)  # noqa: E731
    remote, grpc, rest = g("graft-remote", "p50_us"), g("grpc", "p50_us"), g("rest", "p50_us")
    cpu_remote, cpu_grpc = g("graft-remote", "cpu_s_per_10k"), g("grpc", "cpu_s_per_10k")
    tput_remote, tput_grpc = g("graft-remote", "calls_per_s_64"), g("grpc", "calls_per_s_64")
    local, direct = g("graft-inmemory", "loop_mean_us"), g("direct", "loop_mean_us")
    floor = g("floor", "p50_us")
    base = floor + (g("direct", "p50_us") or 0.0) if floor is not None else None
    out = [
        _check("remote p50 <= 1/3 of gRPC's", _div(remote, grpc), 1 / 3, True,
               "Graft remote %s us, gRPC %s us" % (_num(remote), _num(grpc))),
        _check("remote p50 <= 1/5 of REST's", _div(remote, rest), 1 / 5, True,
               "Graft remote %s us, REST %s us" % (_num(remote), _num(rest))),
        _check("CPU per call <= 1/8 of gRPC's", _div(cpu_remote, cpu_grpc), 1 / 8, True,
               "Graft remote %s s, gRPC %s s per 10k calls" % (_num(cpu_remote), _num(cpu_grpc))),
        _check("throughput at 64 callers >= 3x gRPC's", _div(tput_remote, tput_grpc), 3.0, False,
               "Graft remote %s, gRPC %s calls/s" % (_num(tput_remote), _num(tput_grpc))),
        _check("remote p50 <= 3x (Rust floor p50 + direct call p50)", _div(remote, base), 3.0, True,
               "Graft remote %s us, floor + method %s us" % (_num(remote), _num(base))),
    ]
    if method == "add":
        overhead = None if local is None or direct is None else local - direct
        out.append(_check("in-process overhead < 1 us over a direct call (us)", overhead, 1.0, True,
                          "Graft in-process %s us, direct %s us per call (tight loop)" % (_num(local), _num(direct))))
    return out


def check_object(summary: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Issue 14: a call on a remote object costs about what a static call does."""
    on_object, static = _get(summary, "graft-remote", "object", "p50_us"), _get(summary, "graft-remote", "add", "p50_us")
    return [_check("remote object call p50 <= 1.1x a static call's", _div(on_object, static), 1.1, True,
                   "Tally.add %s us, Bench.add %s us (Graft remote)" % (_num(on_object), _num(static)))]


def check_variants(summary: Dict[str, Any], method: str) -> List[Dict[str, Any]]:
    """Issue 15: tracing on adds at most 10% to a remote call's p50; with TLS, Graft keeps its ratio to gRPC."""
    g = lambda s: _get(summary, s, method, "p50_us")  # noqa: E731
    traced, remote, tls, grpc, grpc_tls = g("graft-remote-traced"), g("graft-remote"), g("graft-remote-tls"), g("grpc"), g("grpc-tls")
    plain_ratio, tls_ratio = _div(remote, grpc), _div(tls, grpc_tls)
    return [
        _check("tracing on: remote p50 <= 1.1x tracing off", _div(traced, remote), 1.1, True,
               "traced %s us, not traced %s us" % (_num(traced), _num(remote))),
        _check("TLS: p50 /gRPC-TLS <= 1.1x p50 /gRPC in plain", _div(tls_ratio, plain_ratio), 1.1, True,
               "TLS: Graft %s us, gRPC %s us; plain: Graft %s us, gRPC %s us"
               % (_num(tls), _num(grpc_tls), _num(remote), _num(grpc))),
    ]


def all_targets(summary: Dict[str, Any]) -> Dict[str, List[Dict[str, Any]]]:
    found = {method: check_object(summary) if method == "object" else check(summary, method) for method, _ in METHODS}
    found["add"] += check_variants(summary, "add")
    return found


def render_targets(found: Dict[str, List[Dict[str, Any]]], markdown: bool = False) -> str:
    header = ["method", "target", "measured", "holds", "figures"]
    rows = []
    for method, checks in found.items():
        for c in checks:
            holds = {True: "yes", False: "NO", None: "n/a"}[c["holds"]]
            value = "-" if c["measured"] is None else "%.3g" % c["measured"]
            rows.append([method, c["target"], value, holds, c["detail"]])
    return render(rows, header, markdown, left=(0, 1, 3, 4))
