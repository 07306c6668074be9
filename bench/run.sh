#!/usr/bin/env bash
# The benchmark command: Graft (in-process and remote through gg) against a
# direct call, gRPC (grpc.aio), REST (FastAPI on uvicorn, httpx) and a Rust
# echo floor; Graft with tracing on and over TLS (against gRPC over TLS,
# bench/variants.py); Graft through Redis against Celery with Redis
# (bench/brokers.py); streams, Graft against gRPC server streaming; and Node
# callers, the TypeScript graft against @grpc/grpc-js (bench/node.py). See BENCHMARKS.md.
#
#   bench/run.sh                 full run: 3 runs, medians, writes bench/results/latest.json
#   bench/run.sh --smoke         the harness's unit tests, then a few hundred calls per
#                                system, checking every answer (CI)
#   bench/run.sh --calls N --runs K --json out.json --systems grpc,rest,...
#   bench/run.sh --workloads streams   only the stream workloads (issue 13); default calls,streams
#
# Builds gg and the Rust floor first (release; --smoke uses the debug build
# that scripts/test.sh already made, as speed is not looked at there; set
# BENCH_PROFILE=release or debug to choose), then makes bench/.venv with
# bench/requirements.txt and runs bench/harness.py with the options given.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${BENCH_PROFILE:-}"
if [ -z "$profile" ]; then
    profile=release
    for arg in "$@"; do
        [ "$arg" = "--smoke" ] && profile=debug
    done
fi

# Built before the virtualenv is made or used: gg embeds the CPython that
# python3 names at build time, and it must be the same one the other builds use.
echo "== build ($profile): gg and the Rust floor" >&2
if [ "$profile" = release ]; then
    cargo build --release -p graft-gateway -p graft-bench
else
    cargo build -p graft-gateway -p graft-bench
fi

venv=bench/.venv
if [ ! -x "$venv/bin/python" ]; then
    echo "== virtualenv $venv" >&2
    python3 -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum bench/requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "== pip install -r bench/requirements.txt" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r bench/requirements.txt
    echo "$want" > "$stamp"
fi

# The Node callers' pinned packages (bench/node.py), when node is here.
stamp=bench/node/node_modules/.lock.sha256
want="$(sha256sum bench/node/package-lock.json | cut -d' ' -f1)"
if command -v npm >/dev/null && [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "== npm ci in bench/node" >&2
    (cd bench/node && npm ci --no-audit --no-fund --silent)
    echo "$want" > "$stamp"
fi

for arg in "$@"; do
    if [ "$arg" = "--smoke" ]; then
        echo "== unit tests of the harness (bench/tests)" >&2
        "$venv/bin/python" -m unittest discover -s bench/tests -q
    fi
done

echo "== harness" >&2
exec "$venv/bin/python" bench/harness.py --bin-dir "target/$profile" "$@"
