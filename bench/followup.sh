#!/usr/bin/env bash
# Follow-up and the policy meeting (issue 12), on SQLite (PG=1: PostgreSQL), each step timed end
# to end through the CLI (process start, database open and output included):
#  1. the change between two programme-size rounds (N households a round over 20 provinces,
#     default the programme's 235,704): `thanrak change --from R1 --to R2 --by province`;
#  2. the strategic ranking of every subdistrict of the programme (`thanrak areas rank
#     --level subdistrict --top 20`);
#  3. the policy-meeting report of one province of P households (default 300,000) as PDF and
#     as XLSX (`thanrak report --area 52 --out …`), with a partner, a model area and a meeting;
#  baselines in the same run: `thanrak rounds` (open the database, count) and, for 1, sqlite3
#  joining the two rounds' scores by household and counting the pairs of groups in SQL.
#
#   bench/followup.sh             # N=235704 P=300000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-235704}
P=${P:-300000}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=target/release/thanrak
fi
db() {
    if [ -n "${PG:-}" ]; then
        psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $1" >/dev/null
        psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $1" >/dev/null
        echo "postgres://postgres@127.0.0.1:5432/$1"
    else
        rm -f "$OUT/$1.db" "$OUT/$1.db-wal" "$OUT/$1.db-shm"
        echo "sqlite://$OUT/$1.db"
    fi
}
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

PROGRAMME="52,45,57,50,51,53,54,55,56,58,40,41,42,43,44,46,47,48,49,39"
DB=$(db thanrak_followup)
T() { $BIN --database-url "$DB" "$@"; }
T demo --households "$N" --provinces "$PROGRAMME" >/dev/null 2>&1
# `rounds` prints a header line, then a round a line, oldest first.
R1=$(T rounds | grep -v '^round' | sed -n 1p | cut -f1)
R2=$(T rounds | grep -v '^round' | sed -n 2p | cut -f1)
T score --round "$R1" >/dev/null 2>&1
T score --round "$R2" >/dev/null 2>&1
echo "programme: $N households a round in 20 provinces, rounds $R1 and $R2"
echo "baseline  thanrak rounds: $(secs T rounds) s"
echo "change    thanrak change --by province: $(secs T change --from "$R1" --to "$R2" --by province) s"
if [ -z "${PG:-}" ]; then
    echo "baseline  sqlite3 join of the two runs, pairs of groups counted: $(secs sqlite3 "$OUT/thanrak_followup.db" \
        "SELECT a.grp, b.grp, count(*) FROM scores a JOIN scores b ON b.household_id = a.household_id \
         AND b.round = '$R2' AND b.methodology_id = a.methodology_id \
         AND b.methodology_version = a.methodology_version \
         WHERE a.round = '$R1' AND a.methodology_id = 'thanrak-default-1' GROUP BY 1, 2") s"
fi
echo "ranking   thanrak areas rank --level subdistrict: $(secs T areas rank --level subdistrict --top 20) s"

DB=$(db thanrak_report)
T demo --households "$P" --provinces 52 >/dev/null 2>&1
R=$(T rounds | grep -v '^round' | sed -n 2p | cut -f1)
R0=$(T rounds | grep -v '^round' | sed -n 1p | cut -f1)
T score --round "$R0" >/dev/null 2>&1
T score --round "$R" >/dev/null 2>&1
T partners add lpru --name-th "มหาวิทยาลัยราชภัฏลำปาง" --name-en "Lampang Rajabhat University" --areas 52 >/dev/null
T model-areas choose 520101 --partner lpru >/dev/null
T model-areas add-activity 520101 --heading processing --title "แปรรูปข้าว" --agency codi --budget 250000 >/dev/null
T meetings add --province 52 --date 2026-10-01 --title "ครั้งที่ 4/2569" --agencies codi,osmep \
    --item "ซ่อมบ้าน|codi|5201|2026-12-31" >/dev/null
echo "province: $P households a round in Lampang, round $R against $R0"
echo "baseline  thanrak rounds: $(secs T rounds) s"
echo "report    PDF:  $(secs T report --area 52 --out "$OUT/report.pdf") s ($(du -k "$OUT/report.pdf" | cut -f1) KB)"
echo "report    XLSX: $(secs T report --area 52 --out "$OUT/report.xlsx") s ($(du -k "$OUT/report.xlsx" | cut -f1) KB)"
