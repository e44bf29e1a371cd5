#!/usr/bin/env bash
# Scoring at the 20-province programme size (235,704 households, ~1.04 million members):
#  1. `thanrak score` end to end from SQLite (read, score, aggregate, write), as a user runs it;
#  2. area figures after scoring: stored lookup vs recomputation from stored scores (cargo bench);
#  3. the pure scoring on all cores vs one thread (cargo bench).
#
#   bench/score.sh            # programme size;   N=50000 bench/score.sh for a quicker run
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-235704}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
# BIN=path/to/thanrak OUT=bench/out-before bench/score.sh measures another build.
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=target/release/thanrak
fi
DB="sqlite://$PWD/$OUT/score-$N.db"  # absolute: cargo bench runs in the crate's folder
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ ! -f "$OUT/score-$N.db" ]; then
    $BIN --database-url "$DB" demo --households "$N" >/dev/null 2>&1
fi
$BIN --database-url "$DB" rounds
echo
echo "== thanrak score (end to end, SQLite)"
for round in 2568-1 2569-1; do
    /usr/bin/time -f "wall %e s, peak %M KiB" $BIN --database-url "$DB" score --round "$round" 2>&1 | grep -v '^ *[a-z_]* *[^ ]* *[0-9]* *[0-9.]*%$'
done
echo
echo "== area figures after scoring"
THANRAK_BENCH_DB="$DB" THANRAK_BENCH_ROUND=2568-1 cargo bench -q -p thanrak-app --bench figures 2>/dev/null
echo
echo "== pure scoring"
THANRAK_BENCH_HOUSEHOLDS="$N" cargo bench -q -p thanrak-core --bench score 2>/dev/null
