#!/usr/bin/env bash
# Referral between agencies at province size (issue 10), on SQLite (PG=1: PostgreSQL):
#  1. bulk referral: `thanrak refer` of a whole target group (every household of the round with
#     the welfare need, at least 50,000) to one agency, in one transaction with the first event of each
#     case — against the database's own bulk loader writing the same case rows (sqlite3 `.import`
#     of them as CSV into an empty copy of the table with its indexes; on PostgreSQL `\copy`);
#     and the same referral run again (every household skipped);
#  2. an agency's inbox of 100,000+ cases under load (wrk, 200 connections on loopback, the
#     agency officer's API token or session): the first page of the inbox through the API, a deep
#     page, the overdue filter, the /cases page, and the referral status of the dashboard
#     (GET /api/v1/cases/status?area=52) — with GET /api/v1/me, the cheapest authenticated
#     request, as the baseline of the same run.
#
#   bench/referrals.sh            # N=400000 households in one province (welfare: 50,000+)
#   DURATION=20s CONNECTIONS=200  # the defaults
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-400000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-200}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3; }
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=target/release/thanrak
fi
if [ -n "${PG:-}" ]; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS thanrak_refer" >/dev/null
    psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE thanrak_refer" >/dev/null
    DB="postgres://postgres@127.0.0.1:5432/thanrak_refer"
else
    rm -f "$OUT/refer.db" "$OUT/refer.db-wal" "$OUT/refer.db-shm"
    DB="sqlite://$OUT/refer.db"
fi
T() { $BIN --database-url "$DB" "$@"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
T demo --households "$N" --provinces 52 >/dev/null 2>&1
ROUND=$(T rounds | tail -n1 | cut -f1)
T score --round "$ROUND" >/dev/null 2>&1
for u in "bench admin" "lampang area_manager --area 52" "codi1 agency_officer --agency codi"; do
    set -- $u
    echo "bench-password-123" | T user add "$1" --role "$2" "${@:3}" --password-stdin >/dev/null 2>&1
done
secs() { local s e; s=$(date +%s.%N); "$@" >"$OUT/refer-last.txt" 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
echo "round $ROUND: $N households in one province"
# CODI's inbox is filled past 100,000 cases with the commonest needs: the catalogue is changed
# so that CODI meets them (a referral goes only to an agency whose mission meets the need).
T agencies set codi --name-th "สถาบันพัฒนาองค์กรชุมชน (พอช.)" --name-en "CODI" \
    --needs housing,occupation,welfare,health,education >/dev/null
printf '%-44s %8s %s\n' step seconds result
for need in welfare health education housing; do
    t=$(secs T refer --as lampang --round "$ROUND" --need "$need" --agency codi --note "bench" --due 2020-01-31)
    printf '%-44s %8.2f %s\n' "refer every household with need $need" "$t" "$(cat "$OUT/refer-last.txt")"
done
t=$(secs T refer --as lampang --round "$ROUND" --need welfare --agency codi)
printf '%-44s %8.2f %s\n' "the welfare referral again" "$t" "$(cat "$OUT/refer-last.txt")"
CASES=$(T cases list --as codi1 --limit 1 2>&1 >/dev/null | awk '{print $3}')
# The database's own loader, writing the rows of the largest referral (need welfare).
if [ -n "${PG:-}" ]; then
    psql -q -h 127.0.0.1 -U postgres -d thanrak_refer -c "\copy (SELECT round, household_id, village_code, need, agency, state, priority, note, due_on, created_by, created_at, updated_at, version, created_by_name FROM cases WHERE need = 'welfare') TO '$OUT/refer-cases.csv' CSV"
    psql -q -h 127.0.0.1 -U postgres -d thanrak_refer -c "CREATE TABLE cases_copy (LIKE cases INCLUDING DEFAULTS INCLUDING INDEXES)"
    ROWS=$(wc -l <"$OUT/refer-cases.csv")
    s=$(date +%s.%N)
    psql -q -h 127.0.0.1 -U postgres -d thanrak_refer -c "\copy cases_copy (round, household_id, village_code, need, agency, state, priority, note, due_on, created_by, created_at, updated_at, version, created_by_name) FROM '$OUT/refer-cases.csv' CSV"
    e=$(date +%s.%N)
    printf '%-44s %8.2f %s\n' "PostgreSQL \\copy of the same $ROWS case rows" "$(echo "$e - $s" | bc)" "(no events, no reading of scores)"
else
    F="$OUT/refer.db"
    sqlite3 -csv "$F" "SELECT id, round, household_id, village_code, need, agency, state, priority, note, due_on, created_by, created_at, updated_at, version, created_by_name, owner FROM cases WHERE need = 'welfare'" >"$OUT/refer-cases.csv"
    ROWS=$(wc -l <"$OUT/refer-cases.csv")
    rm -f "$OUT/refer-copy.db"
    sqlite3 "$F" ".schema cases" | sed 's/REFERENCES agencies (code)//' | sqlite3 "$OUT/refer-copy.db"
    s=$(date +%s.%N)
    sqlite3 "$OUT/refer-copy.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" ".mode csv" ".import $OUT/refer-cases.csv cases" >/dev/null
    e=$(date +%s.%N)
    printf '%-44s %8.2f %s\n' "sqlite3 .import of the same $ROWS case rows" "$(echo "$e - $s" | bc)" "(no events, no reading of scores)"
fi
echo "codi's inbox: $CASES"

TOKEN=$(T user token codi1 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN --database-url "$DB" serve --bind "127.0.0.1:$PORT" >"$OUT/refer-serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.5; done
BASE="http://127.0.0.1:$PORT"
JAR="$OUT/refer-cookies.txt"
rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "csrf=$CSRF" \
    --data-urlencode "name=codi1" --data-urlencode "password=bench-password-123" "$BASE/login"
SESSION=$(awk '$6 == "thanrak_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { echo "could not log in"; exit 1; }
ADMIN_TOKEN=$(T user token bench 2>/dev/null)
echo "wrk -c $CONNECTIONS -d $DURATION on loopback"
printf '%-28s %10s %10s %10s %8s %9s\n' scenario p50 p99 req/s errors requests
run() {
    local name=$1 path=$2 auth=${3:-"Authorization: Bearer $TOKEN"}
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$BASE$path")
    [ "$code" = 200 ] || { echo "$name: $path answered $code"; return 1; }
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency \
        -H "$auth" "$BASE$path" >"$OUT/refer-$name.txt"
    awk -v name="$name" '
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /Requests\/sec/ { rps = $2 }
        /requests in/ { total = $1 }
        /Non-2xx or 3xx/ { non2xx = $NF }
        /Socket errors/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
        END { printf "%-28s %10s %10s %10s %8d %9s\n", name, p50, p99, rps, non2xx + sock, total }
    ' "$OUT/refer-$name.txt"
}
run baseline-me "/api/v1/me"
run inbox-first-page "/api/v1/cases?per_page=50"
run inbox-page-1000 "/api/v1/cases?per_page=50&page=1000"
run inbox-overdue "/api/v1/cases?per_page=50&overdue=true"
run inbox-page "/cases" "Cookie: thanrak_session=$SESSION"
run status-agency "/api/v1/cases/status?area=52"
run status-admin "/api/v1/cases/status?area=52" "Authorization: Bearer $ADMIN_TOKEN"
echo "server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$SERVER/status")"
