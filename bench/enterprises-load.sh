#!/usr/bin/env bash
# The registry of community businesses under load (issue 11): 200,000 enterprises over 20
# provinces (bench/enterprises.py) imported into SQLite, then wrk at 200 connections on loopback
# with an API token: a province's list, a kind, a name search, one enterprise with its chain, and
# the /enterprises page as a browser session asks for it — with GET /api/v1/me, the cheapest
# authenticated request, as the baseline of the same run.
#
#   bench/enterprises-load.sh          # N=200000; DURATION=20s CONNECTIONS=200 by default
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-200}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=target/release/thanrak
fi
rm -f "$OUT/registry.db" "$OUT/registry.db-wal" "$OUT/registry.db-shm"
DB="sqlite://$OUT/registry.db"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
python3 bench/enterprises.py "$OUT/enterprises.csv" "$N"
s=$(date +%s.%N)
$BIN --database-url "$DB" enterprises import "$OUT/enterprises.csv" >/dev/null
e=$(date +%s.%N)
echo "import of $N enterprises: $(echo "$e - $s" | bc) s"
echo "bench-password-123" | $BIN --database-url "$DB" user add bench --role admin --password-stdin >/dev/null 2>&1
TOKEN=$($BIN --database-url "$DB" user token bench 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN --database-url "$DB" serve --bind "127.0.0.1:$PORT" >"$OUT/registry-serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.5; done
BASE="http://127.0.0.1:$PORT"
JAR="$OUT/registry-cookies.txt"
rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "csrf=$CSRF" \
    --data-urlencode "name=bench" --data-urlencode "password=bench-password-123" "$BASE/login"
SESSION=$(awk '$6 == "thanrak_session" { print $7 }' "$JAR")
echo "wrk -c $CONNECTIONS -d $DURATION on loopback"
printf '%-28s %10s %10s %10s %8s %9s\n' scenario p50 p99 req/s errors requests
run() {
    local name=$1 path=$2 auth=${3:-"Authorization: Bearer $TOKEN"} script=${4:-}
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$BASE$path")
    [ "$code" = 200 ] || { echo "$name: $path answered $code"; return 1; }
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency ${script:+-s "$script"} \
        -H "$auth" "$BASE$path" >"$OUT/registry-$name.txt"
    awk -v name="$name" '
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /Requests\/sec/ { rps = $2 }
        /requests in/ { total = $1 }
        /Non-2xx or 3xx/ { non2xx = $NF }
        /Socket errors/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
        END { printf "%-28s %10s %10s %10s %8d %9s\n", name, p50, p99, rps, non2xx + sock, total }
    ' "$OUT/registry-$name.txt"
}
run baseline-me "/api/v1/me"
run list-province "/api/v1/enterprises?area=52&per_page=50"
run list-kind "/api/v1/enterprises?kind=otop&per_page=50"
run search-name "/api/v1/enterprises?name=%E0%B8%9C%E0%B9%89%E0%B8%B2%E0%B9%84%E0%B8%AB%E0%B8%A1&per_page=50"
# A different name on every request: never from the cache, through the trigram index.
run search-name-uncached "/api/v1/enterprises?per_page=50&name=12345" "Authorization: Bearer $TOKEN" bench/search-names.lua
run one-enterprise "/api/v1/enterprises/12345"
run registry-page "/enterprises?area=52" "Cookie: thanrak_session=$SESSION"
echo "server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$SERVER/status")"
