#!/usr/bin/env bash
# Builds generated sites of 1,000 / 10,000 / 100,000 items (plus 200 measures of 104
# weekly points) with cyclebook, git history on, and — where `hugo` is installed — the
# same pages as plain Markdown with Hugo, alternating the two, and prints the median
# wall time and peak memory of each and the cyclebook/Hugo ratio. Also times
# `cyclebook check`. Not a test: it never runs in CI.
#
# Usage: bench/run.sh [--prepare] [SIZES...]        e.g. bench/run.sh 1000 10000
#   --prepare only generates (and commits) the corpora, for timing them later.
#   RUNS=5 (runs of each tool per size), BENCH_DIR=$TMPDIR/cyclebook-bench (corpora are
#   generated there once, each committed to git in 10 commits, and reused),
#   BENCH_OUT=$BENCH_DIR (where both tools write; e.g. /dev/shm to time the tools rather
#   than the disk: on a file system without a journal, ext4 makes creating files just
#   after deleting as many slow, and both tools do exactly that on every run).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
prepare=false
if [[ ${1:-} == --prepare ]]; then
    prepare=true
    shift
fi
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000 100000)
runs=${RUNS:-5}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/cyclebook-bench}
measures=200 points=104
cd "$root"

cargo build --release --quiet --bin cyclebook --example corpus
cyclebook=$root/target/release/cyclebook
have_hugo=false
command -v hugo >/dev/null && have_hugo=true
mkdir -p "$dir"

# "seconds peak_MB" of one run of the command (it must succeed; output discarded).
measure() {
    local t
    t=$(mktemp)
    /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>&1 || { echo "run.sh: failed: $*" >&2; exit 1; }
    awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$t"
    rm -f "$t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# A corpus of N items, committed in 10 commits so that the history pass has work.
corpus() {
    local n=$1 c="$dir/corpus-$1"
    if [[ ! -d $c/site/.git ]]; then
        rm -rf "$c"
        target/release/examples/corpus --items "$n" --measures $measures --points $points "$c" >&2
        (
            cd "$c/site"
            git init -q
            git config user.name "Bench"
            git config user.email "bench@example.invalid"
            git ls-files --others --exclude-standard | sort >"$c/files"
            split -n l/10 "$c/files" "$c/part-"
            k=0
            for part in "$c"/part-*; do
                k=$((k + 1))
                xargs -a "$part" -d '\n' git add --
                GIT_AUTHOR_DATE="2026-0$((k % 9 + 1))-01T09:00:00Z" GIT_COMMITTER_DATE="2026-0$((k % 9 + 1))-01T09:00:00Z" \
                    git commit -q -m "Part $k of the corpus"
            done
            rm -f "$c"/part-* "$c/files"
        )
    fi
    echo "$c"
}

if $prepare; then
    for n in "${sizes[@]}"; do corpus "$n"; done
    exit 0
fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "cyclebook $($cyclebook --version | awk '{ print $2 }'); $($have_hugo && hugo version | awk '{ print "Hugo", $2 }' || echo "Hugo not installed")"
echo "$runs runs of each, alternating; medians. Items + $measures measures of $points points; git history on."
echo "Output written under ${BENCH_OUT:-$dir} ($(df --output=fstype "${BENCH_OUT:-$dir}" | tail -1))."
echo
printf '| items | pages | cyclebook build | peak | Hugo build | peak | cyclebook/Hugo | cyclebook check |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
    c=$(corpus "$n")
    out=$(mktemp -d "${BENCH_OUT:-$dir}/out-XXXX")
    cb_t=() cb_m=() hu_t=() hu_m=() ck_t=()
    for ((i = 0; i < runs; i++)); do
        rm -rf "$out/cyclebook" "$out/hugo"
        read -r t m < <(measure "$cyclebook" build "$c/site" -o "$out/cyclebook")
        cb_t+=("$t") cb_m+=("$m")
        if $have_hugo; then
            read -r t m < <(measure hugo --source "$c/hugo" --destination "$out/hugo" --quiet)
            hu_t+=("$t") hu_m+=("$m")
        fi
        read -r t m < <(measure "$cyclebook" check "$c/site")
        ck_t+=("$t")
    done
    pages=$(find "$out/cyclebook" -name '*.html' | wc -l)
    cb=$(printf '%s\n' "${cb_t[@]}" | median)
    cbm=$(printf '%s\n' "${cb_m[@]}" | median)
    ck=$(printf '%s\n' "${ck_t[@]}" | median)
    if $have_hugo; then
        hu=$(printf '%s\n' "${hu_t[@]}" | median)
        hum=$(printf '%s\n' "${hu_m[@]}" | median)
        ratio=$(awk -v a="$cb" -v b="$hu" 'BEGIN { printf "%.2f", a / b }')
        printf '| %s | %s | %s s | %s MB | %s s | %s MB | %s | %s s |\n' "$n" "$pages" "$cb" "$cbm" "$hu" "$hum" "$ratio" "$ck"
    else
        printf '| %s | %s | %s s | %s MB | – | – | – | %s s |\n' "$n" "$pages" "$cb" "$cbm" "$ck"
    fi
    rm -rf "$out"
done
