#!/usr/bin/env bash
# Times the git history pass on the generated corpus (5,000 files, 10,000 commits):
# read_history alone (examples/history_bench), then whole builds with and without it,
# and `git log -M --name-status` (what a reader shelling out to git would run) for scale.
# Prints the median of 5 runs of each, in milliseconds, after one untimed warm-up run.
#
# Usage: benches/history/run.sh [CORPUS_DIR]
#   CORPUS_DIR defaults to $TMPDIR/cyclebook-history-corpus, generated when missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${1:-${TMPDIR:-/tmp}/cyclebook-history-corpus}
runs=5
cd "$root"

cargo build --release --quiet --bin cyclebook --example history_bench
if [[ ! -d $corpus/.git ]]; then
    bash benches/history/generate.sh "$corpus"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Milliseconds the command took (its output discarded; it must succeed).
ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Runs `$@` once untimed, then $runs times, printing the median wall time.
bench() {
    local label=$1 i times=()
    shift
    "$@" >/dev/null 2>&1 || { echo "run.sh: $label failed: $*" >&2; exit 1; }
    for ((i = 0; i < runs; i++)); do times+=("$(ms "$@")"); done
    printf '%-38s median %6s ms   (runs: %s)\n' "$label" \
        "$(printf '%s\n' "${times[@]}" | median)" "${times[*]}"
}

history_ms() { # the time read_history measured itself, without process start-up
    target/release/examples/history_bench "$corpus" | sed 's/ ms:.*//'
}

echo "corpus: $corpus ($(git -C "$corpus" rev-list --count HEAD) commits, $(git -C "$corpus" ls-files | wc -l) files), $(nproc) cores"
target/release/examples/history_bench "$corpus"
in_process=()
for ((i = 0; i < runs; i++)); do in_process+=("$(history_ms)"); done
printf '%-38s median %6s ms   (runs: %s)\n' "read_history, in process" \
    "$(printf '%s\n' "${in_process[@]}" | median)" "${in_process[*]}"
bench "history_bench, whole process" target/release/examples/history_bench "$corpus"
bench "cyclebook build --no-git" target/release/cyclebook build "$corpus" -o "$out/site" --no-git
bench "cyclebook build" target/release/cyclebook build "$corpus" -o "$out/site"
bench "git log -M --name-status (reference)" git -C "$corpus" log -M --name-status --format='%H %at %aN %s'
