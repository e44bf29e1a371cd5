#!/usr/bin/env bash
# Import and export at the 20-province programme size (235,704 households, ~1.04 million members).
#
#   bench/import-export.sh              # programme size
#   N=50000 bench/import-export.sh      # a quicker run
#
# Produces the CSV with `thanrak demo` + `thanrak export`, then times, each as a fresh process:
# thanrak import into an empty SQLite file and an empty PostgreSQL database, and thanrak export.
# Baselines in the same run, for ratios that survive a noisy machine: the database's own bulk
# loader on the same files with no checks at all (sqlite3 .import, psql \copy into text tables)
# and sqlite3's own CSV dump. Wall time and peak memory come from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-235704}
PG=${THANRAK_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
OUT=bench/out
rm -rf "$OUT" && mkdir -p "$OUT"
cargo build --release -q -p thanrak
BIN=target/release/thanrak

measure() { # name, command...: prints "name seconds peak_mib"
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >"$OUT/$name.log" 2>&1 || { cat "$OUT/$name.log"; exit 1; }
    read -r secs kib <"$OUT/time.txt"
    printf '%-28s %8.2f s %8d MiB\n' "$name" "$secs" $((kib / 1024))
    echo "$name $secs" >>"$OUT/results.txt"
}
secs() { awk -v n="$1" '$1 == n { print $2 }' "$OUT/results.txt"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
$BIN --database-url "sqlite://$OUT/gen.db" demo --households "$N" >/dev/null 2>&1
$BIN --database-url "sqlite://$OUT/gen.db" export --round 2568-1 --out "$OUT/csv" >/dev/null 2>&1
H=$(($(wc -l <"$OUT/csv/households.csv") - 1)); M=$(($(wc -l <"$OUT/csv/members.csv") - 1))
echo "data: $H households, $M members ($(du -sh "$OUT/csv" | cut -f1) of CSV)"
echo

measure thanrak_import_sqlite $BIN --database-url "sqlite://$OUT/import.db" import "$OUT/csv/households.csv" "$OUT/csv/members.csv"
measure sqlite3_dot_import sqlite3 "$OUT/raw.db" ".mode csv" ".import $OUT/csv/households.csv households" ".import $OUT/csv/members.csv members"

psql -q "$PG/test" -c "DROP DATABASE IF EXISTS thanrak_bench" -c "CREATE DATABASE thanrak_bench" >/dev/null
measure thanrak_import_postgres $BIN --database-url "$PG/thanrak_bench" import "$OUT/csv/households.csv" "$OUT/csv/members.csv"
ddl() { echo "CREATE TABLE $1 ($(head -n1 "$2" | sed 's/,/ text, /g') text);"; }
psql -q "$PG/test" -c "DROP DATABASE IF EXISTS thanrak_raw" -c "CREATE DATABASE thanrak_raw" >/dev/null
psql -q "$PG/thanrak_raw" -c "$(ddl households "$OUT/csv/households.csv")" -c "$(ddl members "$OUT/csv/members.csv")"
measure psql_copy psql -q "$PG/thanrak_raw" -c "\\copy households FROM '$OUT/csv/households.csv' CSV HEADER" -c "\\copy members FROM '$OUT/csv/members.csv' CSV HEADER"

measure thanrak_export_csv $BIN --database-url "sqlite://$OUT/import.db" export --round 2568-1 --out "$OUT/export"
measure sqlite3_csv_dump sh -c "sqlite3 -csv -header '$OUT/raw.db' 'SELECT * FROM households' >'$OUT/dump-h.csv' && sqlite3 -csv -header '$OUT/raw.db' 'SELECT * FROM members' >'$OUT/dump-m.csv'"
measure thanrak_export_xlsx $BIN --database-url "sqlite://$OUT/import.db" export --round 2568-1 --out "$OUT/export-xlsx" --format xlsx

cmp -s "$OUT/csv/members.csv" "$OUT/export/members.csv" && echo "round trip: export -> import -> export gives identical members.csv"
cmp -s "$OUT/csv/households.csv" "$OUT/export/households.csv" && echo "round trip: export -> import -> export gives identical households.csv"
echo
rows=$((H + M))
awk -v r="$rows" -v a="$(secs thanrak_import_sqlite)" -v b="$(secs sqlite3_dot_import)" -v c="$(secs thanrak_import_postgres)" -v d="$(secs psql_copy)" \
    -v e="$(secs thanrak_export_csv)" -v f="$(secs sqlite3_csv_dump)" 'BEGIN {
    printf "import SQLite:     %.0f rows/s, %.2fx the time of sqlite3 .import (no checks)\n", r / a, a / b
    printf "import PostgreSQL: %.0f rows/s, %.2fx the time of psql \\copy (no checks)\n", r / c, c / d
    printf "export CSV:        %.0f rows/s, %.2fx the time of a sqlite3 CSV dump\n", r / e, e / f
}'
psql -q "$PG/test" -c "DROP DATABASE IF EXISTS thanrak_bench" -c "DROP DATABASE IF EXISTS thanrak_raw" >/dev/null
