#!/usr/bin/env bash
# Load on the web application at the programme size (235,704 households per round, SQLite):
# wrk from Debian's packages, 200 concurrent connections on loopback, an API token, for
#  1. the dashboard's figures API of a province (GET /api/v1/rounds/R/figures?area=52);
#  2. a household search: a page of the households of a district (GET …/households?area=5201);
#  3. the map's boundaries of a province's districts (GET /api/v1/boundaries?level=district&parent=52);
#     and a district's target list filtered by the job need (GET …/targets?area=5201&need=job);
#  4. the dashboard page of a province, as a logged-in browser (session cookie) asks for it.
# Reports p50/p99 latency, errors and requests/s of each, and the server's peak resident memory
# (VmHWM) while serving. The database is prepared by separate commands, so the peak is the server's.
#
#   bench/load.sh                 # programme size; N=50000 bench/load.sh for a quicker run
#   DURATION=20s CONNECTIONS=200  # the defaults
#   PG=1 bench/load.sh            # on PostgreSQL (database thanrak_load on 127.0.0.1, created)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-235704}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-200}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
# BIN=path/to/thanrak bench/load.sh measures another build (an earlier commit, for a before/after).
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=target/release/thanrak
fi
if [ -n "${PG:-}" ]; then
    # A database of its own, so the bench never touches the test database.
    psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE thanrak_load_$N" 2>/dev/null || true
    DB="postgres://postgres@127.0.0.1:5432/thanrak_load_$N"
    READY="$OUT/load-pg-$N.ready"
else
    DB="sqlite://$PWD/$OUT/load-$N.db"
    READY="$OUT/load-$N.db.ready"
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ ! -f "$READY" ]; then
    [ -n "${PG:-}" ] || rm -f "$OUT/load-$N.db" "$OUT/load-$N.db-wal" "$OUT/load-$N.db-shm"
    $BIN --database-url "$DB" demo --households "$N" >/dev/null 2>&1
    for round in $($BIN --database-url "$DB" rounds | tail -n +2 | cut -f1); do
        $BIN --database-url "$DB" score --round "$round" >/dev/null 2>&1
    done
    echo "bench-admin-password" | $BIN --database-url "$DB" user add bench --role admin --password-stdin 2>/dev/null
    # `serve --demo` on a database with data and users only adds the map's illustrative
    # boundaries; it is stopped once it listens.
    $BIN --database-url "$DB" serve --demo --bind 127.0.0.1:0 >"$OUT/load-prepare.log" 2>&1 &
    PREP=$!
    until grep -q '^listening' "$OUT/load-prepare.log"; do
        kill -0 "$PREP" 2>/dev/null || { cat "$OUT/load-prepare.log"; exit 1; }
        sleep 0.5
    done
    kill "$PREP"
    wait "$PREP" || true
    touch "$READY"
fi
ROUND=$($BIN --database-url "$DB" rounds | tail -n1 | cut -f1)
HOUSEHOLDS=$($BIN --database-url "$DB" rounds | tail -n1 | cut -f3)
TOKEN=$($BIN --database-url "$DB" user token bench 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN --database-url "$DB" serve --bind "127.0.0.1:$PORT" >"$OUT/load-serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.5; done
BASE="http://127.0.0.1:$PORT"
echo "${DB%%://*}, round $ROUND: $HOUSEHOLDS households; wrk -c $CONNECTIONS -d $DURATION on loopback"
rss() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$SERVER/status"; }
echo "server peak RSS before load: $(rss)"
printf '%-28s %10s %10s %10s %8s %9s\n' scenario p50 p99 req/s errors requests
# A browser's session: log in through the form (CSRF token from the login page's cookie).
JAR="$OUT/load-cookies.txt"
rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "csrf=$CSRF" \
    --data-urlencode "name=bench" --data-urlencode "password=bench-admin-password" \
    "http://127.0.0.1:$PORT/login"
SESSION=$(awk '$6 == "thanrak_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || { echo "could not log in"; exit 1; }
run() {
    local name=$1 path=$2 auth=${3:-"Authorization: Bearer $TOKEN"}
    # A first request checks that the scenario answers 200 before it is measured.
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$BASE$path")
    [ "$code" = 200 ] || { echo "$name: $path answered $code"; return 1; }
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency \
        -H "$auth" "$BASE$path" >"$OUT/load-$name.txt"
    awk -v name="$name" '
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /Requests\/sec/ { rps = $2 }
        /requests in/ { total = $1 }
        /Non-2xx or 3xx/ { non2xx = $NF }
        /Socket errors/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
        END { printf "%-28s %10s %10s %10s %8d %9s\n", name, p50, p99, rps, non2xx + sock, total }
    ' "$OUT/load-$name.txt"
}
run figures-province "/api/v1/rounds/$ROUND/figures?area=52"
run figures-country "/api/v1/rounds/$ROUND/figures"
run household-search "/api/v1/rounds/$ROUND/households?area=5201&per_page=50"
run boundaries-districts "/api/v1/boundaries?level=district&parent=52"
# A district's target list filtered by the job need (methodology §5), first page.
run targets-job-district "/api/v1/rounds/$ROUND/targets?area=5201&need=job&per_page=50"
run dashboard-page "/?area=52" "Cookie: thanrak_session=$SESSION"
echo "server peak RSS (VmHWM) after load: $(rss)"
