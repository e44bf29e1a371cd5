#!/usr/bin/env bash
# Target-list downloads (/targets/download, CSV and XLSX) of about 50,000 rows, as a logged-in
# browser asks for them, on the programme-size database of bench/load.sh (prepared the same way,
# and shared with it). Reports, best of 3, the time to the first byte, the whole time, the rows
# and the bytes, and the server's peak resident memory; beside them, in the same run:
#  - the household export of the same area (GET /api/v1/rounds/R/export, which streams), a file
#    of the same households in the import format;
#  - the first page of the same list (/targets), the smallest request on the same path.
#
#   bench/targets-download.sh               # programme size
#   BIN=path/to/thanrak bench/targets-download.sh   # another build (before/after)
#   AREA=52 GROUP= bench/targets-download.sh        # another list
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-235704}
OUT=${OUT:-bench/out}
AREA=${AREA:-52}
mkdir -p "$OUT"
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=target/release/thanrak
fi
DB="sqlite://$PWD/$OUT/load-$N.db"
READY="$OUT/load-$N.db.ready"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ ! -f "$READY" ]; then
    rm -f "$OUT/load-$N.db" "$OUT/load-$N.db-wal" "$OUT/load-$N.db-shm"
    $BIN --database-url "$DB" demo --households "$N" >/dev/null 2>&1
    for round in $($BIN --database-url "$DB" rounds | tail -n +2 | cut -f1); do
        $BIN --database-url "$DB" score --round "$round" >/dev/null 2>&1
    done
    echo "bench-admin-password" | $BIN --database-url "$DB" user add bench --role admin --password-stdin 2>/dev/null
    touch "$READY"
fi
ROUND=$($BIN --database-url "$DB" rounds | tail -n1 | cut -f1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN --database-url "$DB" serve --bind "127.0.0.1:$PORT" >"$OUT/targets-serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.5; done
BASE="http://127.0.0.1:$PORT"
JAR="$OUT/targets-cookies.txt"
rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "csrf=$CSRF" \
    --data-urlencode "name=bench" --data-urlencode "password=bench-admin-password" "$BASE/login"
echo "round $ROUND, area $AREA; curl on loopback, best of 3"
printf '%-34s %9s %9s %9s %11s\n' download first-byte total rows bytes
measure() {
    local name=$1 path=$2 best="" line
    for _ in 1 2 3; do
        line=$(curl -s -b "$JAR" -o "$OUT/targets-$name.out" \
            -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}' "$BASE$path")
        set -- $line
        [ "$1" = 200 ] || { echo "$name: $path answered $1"; return 1; }
        if [ -z "$best" ] || awk -v a="$3" -v b="${best#* }" 'BEGIN { exit !(a < b) }'; then
            best="$2 $3 $4"
        fi
    done
    local rows="—"
    case "$name" in
        *csv*|*export*) rows=$(($(wc -l <"$OUT/targets-$name.out") - 1)) ;;
        *xlsx*) rows=$(python3 -c "import zipfile,re,sys; z=zipfile.ZipFile(sys.argv[1]); x=z.read('xl/worksheets/sheet1.xml').decode(); print(len(re.findall('<row ', x)) - 1)" "$OUT/targets-$name.out") ;;
    esac
    set -- $best
    printf '%-34s %8.2fs %8.2fs %9s %11s\n' "$name" "$1" "$2" "$rows" "$3"
}
measure targets-page "/targets?area=$AREA"
measure targets-csv "/targets/download?area=$AREA&format=csv"
measure targets-xlsx "/targets/download?area=$AREA&format=xlsx"
measure household-export "/api/v1/rounds/$ROUND/export?area=$AREA&format=csv"
echo "server peak RSS (VmHWM): $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$SERVER/status")"
