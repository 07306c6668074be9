#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests, 10^6 executions of the
# wire decoders' fuzz target, the Python runtime tests,
# the end-to-end tests against the real gg binary (schemathesis against its
# /openapi.json among them, bounded in examples and time), the browser test of Graft
# Vision, and a short smoke of the benchmark harness. Installs what they need
# first (scripts/setup.sh; the benchmark makes its own virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== format (rustfmt's defaults)"
cargo fmt --all --check

echo "== build"
cargo build --workspace --all-targets --locked
export GG_BIN="$PWD/target/debug/gg"

echo "== cargo test"
cargo test --workspace --locked

echo "== fuzz (the wire decoders, 10^6 libFuzzer executions from the protocol vectors)"
# 26 s on 2 cores once built (the first build takes about 2 minutes);
# crates/graft-wire/fuzz/README.md gives the 10^7 run.
crates/graft-wire/fuzz/run.sh 1000000

echo "== TypeScript runtime (runtime/dist up to date; node's test runner)"
(cd typescript && npm test)

echo "== pytest (python runtime and end to end)"
python3 -m pytest -q python/tests tests/e2e

echo "== Debian package (gg against Debian's python3.11: built, dpkg -i, tutorial replayed, dpkg -r)"
packaging/build-deb.sh   # target/deb/gg.deb, in its own target dir
trap 'dpkg -r graft-gateway >/dev/null 2>&1 || true' EXIT
dpkg -i target/deb/gg.deb
# The machine's PATH, pyenv's python3 first: the installed gg still embeds
# Debian's python3.11, the one it was built against.
python="$(python3 -c 'import sys; print(sys.executable)')"
GG_BIN=/usr/bin/gg GG_DEB="$PWD/target/deb/gg.deb" "$python" -m pytest -q tests/e2e/test_deb.py \
    tests/e2e/test_tutorial.py::test_steps_1_to_4_monolith tests/e2e/test_microservice.py
dpkg -r graft-gateway
test ! -e /usr/bin/gg
trap - EXIT

echo "== browser (Graft Vision in Debian's chromium)"
(cd tests/browser && npm test)

echo "== benchmark smoke (every system answers correctly; no speed is asserted)"
bench/run.sh --smoke
