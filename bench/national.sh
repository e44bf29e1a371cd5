#!/usr/bin/env bash
# National scale as files: `thanrak demo --out` (all 77 provinces) and `thanrak score --input`
# at growing sizes, wall time and peak memory of each, beside two floors from the same run:
# `cat` of the round's files (reading them at all, from the page cache) and polars counting the
# rows of both tables with its multi-threaded CSV reader (parsing them, nothing more).
#
#   bench/national.sh                 # SIZES="1000000 5000000 22000000" by default
#   SIZES=1000000 bench/national.sh   # a quick run
# 22 million households take about 32 GB of disk for the two rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000000 5000000 22000000"}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
python3 -c "import polars" 2>/dev/null || pip install -q polars
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=${CARGO_TARGET_DIR:-target}/release/thanrak
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
timed() { # label command...: prints wall seconds and peak MiB
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$OUT/t.txt" "$@" >/dev/null 2>"$OUT/err.txt" || { cat "$OUT/err.txt"; exit 1; }
    read -r s kib <"$OUT/t.txt"
    printf '%-40s %8.1f s %8d MiB\n' "$label" "$s" $((kib / 1024))
}
for n in $SIZES; do
    dir="$OUT/national-$n"
    echo "== $n households per round"
    [ -f "$dir/2569-1/members.csv" ] || timed "demo --out (both rounds)" "$BIN" demo --households "$n" --provinces all --out "$dir"
    round="$dir/2569-1"
    echo "   files of one round: $(du -ch "$round"/*.csv | tail -n1 | cut -f1), $(($(wc -l <"$round/members.csv") - 1)) members"
    timed "floor: cat households.csv members.csv" cat "$round/households.csv" "$round/members.csv"
    timed "floor: polars counts the rows of both" python3 -c "
import polars as pl, sys
print(sum(pl.scan_csv(f'$round/{t}.csv', infer_schema=False).select(pl.len()).collect().item() for t in ('households', 'members')))"
    timed "score --input (one round)" "$BIN" score --input "$round" --out "$dir-scores"
    rm -rf "$dir-scores"
done
