#!/usr/bin/env bash
# Makes the corpus of the history benchmark: a git repository whose work tree is a
# cyclebook site of 5,000 files (2,500 cycles, 2,500 notes, plus cyclebook.yml and a
# .mailmap) and 10,000 commits by five authors (one under two identities), an hour
# apart, with 188 renames (every other one with an edit). One `git fast-import`, then
# one `git repack`: fast-import deltifies each tree against its older version, which
# no clone or `git gc` does (they keep the newest versions whole); reading history
# newest first from such a pack is about 2.5 times slower than from any real one.
# About 20 s on 2 cores.
#
# Usage: benches/history/generate.sh OUT_DIR   (OUT_DIR must not exist yet)
set -euo pipefail
export LC_ALL=C # ${#text} counts bytes

out=${1:?usage: generate.sh OUT_DIR}
if [[ -e $out ]]; then
    echo "generate.sh: $out already exists" >&2
    exit 1
fi

files=5000 commits=10000
start=1767225600 # 2026-01-01T00:00:00Z
authors=(
    "Ann Lee <ann@ward7.example>"
    "Bo Chen <bo@ward7.example>"
    "Cat Diaz <cat@ward7.example>"
    "Dev Patel <dev@ward7.example>"
    "ann <ann.lee@old-trust.example>" # the same person as Ann Lee, after .mailmap
)

declare -a name rev
for ((k = 0; k < files; k++)); do
    if ((k % 2 == 0)); then name[k]="cycles/c-$((k / 2)).md"; else name[k]="notes/n-$((k / 2)).md"; fi
    rev[k]=0
done

# The text of file k at its current revision: enough lines for rename detection.
content() {
    local k=$1 body="" i
    for ((i = 1; i <= 8; i++)); do body+="Line $i of item $k: what the team planned, did, saw and learnt."$'\n'; done
    if ((k % 2 == 0)); then
        text=$'---\n'"title: Cycle $((k / 2))"$'\nstatus: done\ndecision: adopt\n---\n'"$body"
    else
        text=$'---\n'"title: Note $((k / 2))"$'\n---\n'"$body"
    fi
    text+="Revision ${rev[k]}."$'\n'
}

# M lines: the new text of file k, inline.
modify() {
    local k=$1
    content "$k"
    printf 'M 100644 inline %s\ndata %d\n%s\n' "${name[k]}" "${#text}" "$text"
}

seed=12345
random() { # into $r, 0 <= r < $1
    seed=$(((seed * 1103515245 + 12345) % 2147483648))
    r=$(((seed / 65536) % $1))
}

stream() {
    local i k time author message renamed=0
    for ((i = 1; i <= commits; i++)); do
        time=$((start + i * 3600))
        author=${authors[i % 5]}
        if ((i <= files / 2)); then
            message="Add cycle $((i - 1)) and note $((i - 1))"
        elif ((i % 40 == 0)); then
            message="Move a note to the archive"
        else
            message="Update cycles and notes ($i)"
        fi
        printf 'commit refs/heads/main\nmark :%d\nauthor %s %d +0100\ncommitter %s %d +0100\ndata %d\n%s\n' \
            "$i" "$author" "$time" "$author" "$time" "${#message}" "$message"
        if ((i == 1)); then
            local config=$'title: Bench\n' mailmap=$'Ann Lee <ann@ward7.example> <ann.lee@old-trust.example>\n'
            printf 'M 100644 inline cyclebook.yml\ndata %d\n%s\n' "${#config}" "$config"
            printf 'M 100644 inline .mailmap\ndata %d\n%s\n' "${#mailmap}" "$mailmap"
        fi
        if ((i <= files / 2)); then
            modify $((2 * (i - 1)))
            modify $((2 * (i - 1) + 1))
        elif ((i % 40 == 0)); then
            # A note renamed, every other time with an edit in the same commit.
            random $((files / 2))
            k=$((2 * r + 1))
            local old=${name[k]}
            name[k]="notes/archive/n-$((k / 2))-$renamed.md"
            renamed=$((renamed + 1))
            printf 'R %s %s\n' "$old" "${name[k]}"
            if ((renamed % 2 == 0)); then
                rev[k]=$((rev[k] + 1))
                modify "$k"
            fi
        else
            random 3
            local n=$((r + 1)) j
            for ((j = 0; j < n; j++)); do
                random "$files"
                k=$r
                rev[k]=$((rev[k] + 1))
                modify "$k"
            done
        fi
        printf '\n'
    done
}

git init -q "$out"
git -C "$out" symbolic-ref HEAD refs/heads/main
stream | git -C "$out" fast-import --quiet
git -C "$out" repack -q -a -d -f
git -C "$out" reset -q --hard main
echo "generate.sh: $(git -C "$out" rev-list --count HEAD) commits, $(git -C "$out" ls-files | wc -l) files in $out"
