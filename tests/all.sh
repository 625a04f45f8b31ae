#!/usr/bin/env bash
# The whole test suite: the Rust tests (unit and integration), then the reader's-site
# checks in a real browser (tests/browser/ci.sh installs Debian's chromium and a Java
# runtime when missing, so it needs root or sudo the first time).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test
bash tests/browser/ci.sh
