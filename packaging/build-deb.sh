#!/usr/bin/env bash
# Builds gg's Debian package, target/deb/gg.deb, with cargo-deb
# ([package.metadata.deb] in crates/graft-gateway/Cargo.toml), linked against
# Debian's own python3.11 so that it depends on Debian packages only
# (docs/DEPLOY.md, "The Debian package"). Its own target dir keeps the
# development build, linked to the python3 on PATH, from being rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYO3_PYTHON=/usr/bin/python3.11 CARGO_TARGET_DIR=target/deb
# No debug info in the packaged binary: a smaller package and a shorter build.
export CARGO_PROFILE_RELEASE_DEBUG=false
exec cargo deb -p graft-gateway --locked -o target/deb/gg.deb "$@"
