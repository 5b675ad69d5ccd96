#!/usr/bin/env bash
# Puts the AMI ids of Packer manifests (the `manifest` post-processor's output) into the README's AMI
# table, which others parse by machine: a `| Region | AMI |` header, a `|---|---|` separator, then one
# `| <region> | ami-<hex> |` row a region.
#
#   ami-table.sh [-i] README MANIFEST...   the README with its table updated, on stdout (-i: in place)
#   ami-table.sh --list MANIFEST...        "<region> <ami>" lines
#
# Only the first such table (outside fenced code blocks) changes, and in it only the rows of the regions
# the manifests name: a region whose build failed keeps its old row; a region new to the table gets a row at
# its end, in manifest order. Header and separator stay as they are; a row is written padded to the width
# of its header cell (so an aligned table stays aligned, `| Region | AMI |` gets single spaces). Every other
# byte of the README is kept. When a manifest names a region twice (Packer appends a build to an existing
# manifest), the last build wins. Artifacts that are not `<region>:ami-<hex>` are reported and skipped.
#
# Exit codes: 0 done, 1 the README has no AMI table (nothing written), 2 usage or unreadable file.
set -euo pipefail

usage() {
    echo "usage: ami-table.sh [-i] README MANIFEST... | ami-table.sh --list MANIFEST..." >&2
    exit 2
}

die() {
    printf 'ami-table.sh: %s\n' "$1" >&2
    exit "${2:-2}"
}

# "<region> <ami>" lines from the manifests: each region once, where it first appears, with its last AMI.
list_amis() {
    awk '
        FNR == 1 && NR > 1 { scan(file, buf); buf = "" }
        { buf = buf " " $0; file = FILENAME }
        function scan(file, text,    id, n, parts, i, pair, region, ami, found) {
            found = 0
            while (match(text, /"artifact_id"[ \t\r]*:[ \t\r]*"[^"]*"/)) {
                id = substr(text, RSTART, RLENGTH)
                text = substr(text, RSTART + RLENGTH)
                sub(/^"artifact_id"[ \t\r]*:[ \t\r]*"/, "", id)
                sub(/"$/, "", id)
                n = split(id, parts, ",")
                for (i = 1; i <= n; i++) {
                    pair = parts[i]
                    region = pair; sub(/:.*/, "", region)
                    ami = pair; sub(/^[^:]*:/, "", ami)
                    if (region !~ /^[a-z][a-z](-[a-z]+)+-[0-9]+$/ || ami !~ /^ami-[0-9a-f]+$/ ||
                        (length(ami) != 12 && length(ami) != 21)) {
                        printf "ami-table.sh: %s: ignoring artifact \"%s\"\n", file, pair > "/dev/stderr"
                        continue
                    }
                    if (!(region in latest)) order[++count] = region
                    latest[region] = ami
                    found = 1
                }
            }
            if (!found) printf "ami-table.sh: %s: no AMI in this manifest\n", file > "/dev/stderr"
        }
        END {
            if (NR > 0) scan(file, buf)
            for (i = 1; i <= count; i++) print order[i], latest[order[i]]
        }
    ' "$@"
}

# The README on stdout with its table updated from the "<region> <ami>" lines in file $2.
rewrite() {
    awk -v amis="$2" -v no_final_newline="$3" '
        BEGIN {
            while ((getline line < amis) > 0) {
                split(line, f, " ")
                order[++count] = f[1]
                ami[f[1]] = f[2]
            }
            state = "before"
        }
        function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
        function pad(s, w) { while (length(s) < w) s = s " "; return s }
        function row(region) { return "| " pad(region, w1) " | " pad(ami[region], w2) " |" cr }
        function emit(s) { out[++lines] = s }
        function append_new_rows(    i) {
            for (i = 1; i <= count; i++) if (!(order[i] in done)) emit(row(order[i]))
            state = "after"
        }
        {
            line = $0
            bare = line; sub(/\r$/, "", bare)
        }
        state == "table" {
            if (bare ~ /^\|/) {
                n = split(bare, cell, "|")
                region = trim(cell[2])
                if (n >= 4 && (region in ami) && !(region in done)) {
                    done[region] = 1
                    emit(row(region))
                } else {
                    emit(line)
                }
                next
            }
            append_new_rows()
        }
        state == "separator" {
            if (bare ~ /^\|[ \t:]*-[- \t:]*\|[ \t:]*-[- \t:]*\|[ \t]*$/) {
                emit(line)
                state = "table"
                next
            }
            state = "before"
        }
        state == "before" {
            if (bare ~ /^[ \t]*(```|~~~)/) fenced = !fenced
            if (!fenced && bare ~ /^\|[ \t]*Region[ \t]*\|[ \t]*AMI[ \t]*\|[ \t]*$/) {
                split(bare, cell, "|")
                w1 = length(cell[2]) - 2
                w2 = length(cell[3]) - 2
                cr = (line != bare) ? "\r" : ""
                state = "separator"
            }
        }
        { emit(line) }
        END {
            if (state == "table") append_new_rows()
            if (state != "after") exit 1
            for (i = 1; i <= lines; i++) printf "%s%s", out[i], (i < lines || !no_final_newline) ? "\n" : ""
        }
    ' "$1"
}

[[ $# -ge 1 ]] || usage
if [[ $1 == --list ]]; then
    shift
    [[ $# -ge 1 ]] || usage
    for manifest in "$@"; do
        [[ -r $manifest ]] || die "cannot read manifest $manifest"
    done
    list_amis "$@"
    exit 0
fi

in_place=0
if [[ $1 == -i ]]; then
    in_place=1
    shift
fi
[[ $# -ge 2 ]] || usage
readme=$1
shift
[[ -r $readme ]] || die "cannot read $readme"
for manifest in "$@"; do
    [[ -r $manifest ]] || die "cannot read manifest $manifest"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
list_amis "$@" >"$work/amis"
no_final_newline=0
if [[ -s $readme && -n $(tail -c 1 "$readme") ]]; then
    no_final_newline=1
fi
if ! rewrite "$readme" "$work/amis" "$no_final_newline" >"$work/readme"; then
    die "$readme has no '| Region | AMI |' table (header, then a |---|---| line)" 1
fi
if ((in_place)); then
    # Same directory, same mode, then one rename: readers see the old README or the new one.
    tmp="$readme.ami-table.$$"
    cp -p "$readme" "$tmp"
    cat "$work/readme" >"$tmp"
    mv -f "$tmp" "$readme"
else
    cat "$work/readme"
fi
