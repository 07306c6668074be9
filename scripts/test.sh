#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests, the Python runtime tests,
# the end-to-end tests against the real gg binary, and the browser test of
# Graft Vision. Installs what they need first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== build"
cargo build --workspace --all-targets --locked
export GG_BIN="$PWD/target/debug/gg"

echo "== cargo test"
cargo test --workspace --locked

echo "== pytest (python runtime and end to end)"
python3 -m pytest -q python/tests tests/e2e

echo "== browser (Graft Vision in Debian's chromium)"
(cd tests/browser && npm test)
