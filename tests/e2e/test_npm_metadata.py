"""Metadata from a TypeScript graft, as the Python graft sends it: headers set
with GraftConfig.setHeaders and GraftConfig.withHeaders (a block, awaited calls
included, an inner name winning) reach hosted code as graft_context.headers(),
a traceparent continues its trace, and the call's timeout arrives as
graft_context.deadline(); over TCP and over HTTP. A real gg, npm, node."""

import json
import subprocess

import pytest

from gateway import Gateway
from test_npm_graft import new_project, npm_install

ECHO = """\
from typing import Dict, Optional

import graft_context


class Echo:
    @staticmethod
    def seen() -> Dict[str, str]:
        return dict(graft_context.headers())

    @staticmethod
    async def left() -> Optional[float]:
        return graft_context.deadline()
"""

CALLER = """\
import { Echo, GraftConfig } from "@graft/pypi-echo";

GraftConfig.setConfig(process.argv[2]);
GraftConfig.setHeaders({ "X-Team": "web", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
const pick = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith("x-") || k === "traceparent"));
const out = {};
out.plain = pick(await Echo.seen());
out.block = await GraftConfig.withHeaders({ "X-Request": "r1", "x-team": "inner" }, async () => {
  await new Promise((r) => setTimeout(r, 10));
  return pick(await Echo.seen());
});
out.concurrent = await Promise.all(["a", "b"].map((id) =>
  GraftConfig.withHeaders({ "x-request": id }, async () => {
    await new Promise((r) => setTimeout(r, id === "a" ? 30 : 0));
    return (await Echo.seen())["x-request"];
  })));
out.after = pick(await Echo.seen());
out.left = await Echo.left();
console.log(JSON.stringify(out));
"""

TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("echo")
    (folder / "echo.py").write_text(ECHO)
    with Gateway("--modules", str(folder / "echo.py"), tcp=True) as gg:
        project = new_project(tmp_path_factory.mktemp("npm") / "project")
        out = npm_install(project, gg.web + "/npm/", packages=["@graft/pypi-echo"])
        assert out.returncode == 0, out.stdout + out.stderr
        (project / "caller.mjs").write_text(CALLER)
        yield gg, project


@pytest.mark.parametrize("transport", ["tcp", "http"])
def test_headers_trace_and_deadline_reach_hosted_code(served, transport):
    gg, project = served
    host = "127.0.0.1:%d" % gg.tcp_port if transport == "tcp" else gg.calls
    out = subprocess.run(["node", "caller.mjs", "host=%s;timeout=5" % host], cwd=project, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    seen = json.loads(out.stdout)
    for name in ("plain", "block", "after"):
        trace = seen[name].pop("traceparent")
        assert trace.split("-")[1] == TRACE, (name, trace)  # the trace continues (gg's span is the parent)
    assert seen["plain"] == {"x-team": "web"}
    assert seen["block"] == {"x-team": "inner", "x-request": "r1"}
    assert seen["concurrent"] == ["a", "b"], "each block's calls carry its own headers"
    assert seen["after"] == {"x-team": "web"}, "a block ends with its function"
    assert 4 < seen["left"] <= 5, seen["left"]
