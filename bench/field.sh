#!/usr/bin/env bash
# Field submissions (issue 13): 100,000 submissions of the household form as ODK Central's CSV
# zip, imported through `thanrak import`'s path (read, every check, one transaction) against the
# same households as the import format's two CSV files (the run's baseline), then the export
# again (nothing new); then duplicate detection over both rounds (~880,000 members at 100,000
# households a round), with the time spent reading the members apart. Beside it, sqlite3's own `.import` of the two CSV tables (a bulk load with
# no checks at all), when sqlite3 is installed.
#
#   bench/field.sh                   # 100,000 households
#   HOUSEHOLDS=20000 bench/field.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
THANRAK_BENCH_HOUSEHOLDS="${HOUSEHOLDS:-100000}" THANRAK_BENCH_DB_DIR="$PWD/$out" \
    cargo bench -p thanrak-app --bench field
if command -v sqlite3 >/dev/null; then
    rm -f "$out/field-sqlite3.db"
    start=$(date +%s.%N)
    sqlite3 "$out/field-sqlite3.db" <<SQL
.mode csv
.import $out/field-baseline/households.csv households
.import $out/field-baseline/members.csv members
SQL
    end=$(date +%s.%N)
    echo "sqlite3 .import of the same two CSV tables (no checks): $(echo "$end - $start" | bc) s"
fi
