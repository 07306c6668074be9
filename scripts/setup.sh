#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine: Debian's Chromium,
# the Python test packages, playwright-core for the browser test, and what
# gg's Debian package is built with (cargo-deb, Debian's python3.11).
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

if ! command -v promtool >/dev/null 2>&1; then
    echo "setup: installing Debian's prometheus, for promtool (tests/e2e/test_metrics.py)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

if ! curl --version 2>/dev/null | grep -q HTTP2; then
    echo "setup: installing Debian's curl (built with HTTP/2), for tests/e2e/test_http2.py"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends curl >/dev/null
fi

if ! command -v redis-server >/dev/null 2>&1; then
    echo "setup: installing Debian's redis-server, the broker of tests/e2e/test_broker*.py (each test starts its own)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

echo "setup: Python test packages (requirements-dev.txt)"
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "setup: cargo-fuzz for the wire decoder's fuzz target (about 2 minutes)"
    cargo install --locked cargo-fuzz
fi

if ! dpkg -s python3.11-venv libpython3.11-dev dpkg-dev iproute2 binutils >/dev/null 2>&1; then
    echo "setup: Debian's python3.11 (-venv, libpython3.11-dev), dpkg-dev and iproute2, for gg's Debian package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3.11-venv libpython3.11-dev dpkg-dev iproute2 binutils >/dev/null
fi

if ! cargo deb --version >/dev/null 2>&1; then
    echo "setup: cargo-deb for gg's Debian package (about 2 minutes)"
    cargo install --locked cargo-deb
fi

if [ ! -d tests/mcp/node_modules/@modelcontextprotocol/conformance ]; then
    echo "setup: the MCP conformance suite and the Node.js 22 it needs (tests/mcp/)"
    (cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d tests/publish/node_modules/verdaccio ]; then
    echo "setup: verdaccio and the Node.js 22 it needs, the npm registry of tests/e2e/test_publish.py (tests/publish/)"
    (cd tests/publish && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -d tests/browser/node_modules/playwright-core ]; then
    echo "setup: playwright-core for the browser test"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -x typescript/node_modules/.bin/tsc ]; then
    echo "setup: typescript and @types/node for the TypeScript runtime and grafts (typescript/)"
    (cd typescript && npm ci --no-audit --no-fund --loglevel=error)
fi
