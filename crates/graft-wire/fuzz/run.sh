#!/usr/bin/env bash
# Runs the decode fuzz target for RUNS executions (default 10^6), starting
# from the protocol test vectors (docs/protocol-vectors) in a fresh corpus, so
# every run starts alike. Needs cargo-fuzz (scripts/setup.sh installs it);
# RUSTC_BOOTSTRAP=1 lets a stable toolchain build it. libFuzzer's output goes
# to a log, whose tail is printed; a failing input lands in artifacts/decode/.
set -euo pipefail
cd "$(dirname "$0")"
runs="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp ../../../docs/protocol-vectors/*.bin "$work/corpus/"
# Inputs up to 4 KiB: the decoders' limits on longer ones are the proptest
# tests' (tests/it/fuzz.rs); longer inputs only slow each execution.
if RUSTC_BOOTSTRAP=1 cargo fuzz run -O decode "$work/corpus" \
    -- -runs="$runs" -max_len=4096 -print_final_stats=1 >"$work/log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log"
else
    tail -n 40 "$work/log"
    echo "fuzz: the decode target failed; the input is in $(pwd)/artifacts/decode/" >&2
    exit 1
fi
