#!/usr/bin/env bash
# The standalone MPI calculator (`thanrak mpi --deprivations`) on a CSV of 16 indicators and a
# 77-value group column, against polars (bench/mpi_polars.py, a lazy scan on every core) and
# pandas (bench/mpi_pandas.py) in the same run, best of 3 each; the time to read the file at all
# (cat to /dev/null, from the page cache) as the floor; and thanrak's memory on 1 million rows
# against ROWS rows (it must not grow).
#
#   bench/mpi-standalone.sh          # ROWS=2000000 bench/mpi-standalone.sh for the issue's size
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
OUT=bench/out
mkdir -p "$OUT"
python3 -c "import pandas, polars" 2>/dev/null || pip install -q pandas polars
if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p thanrak
    BIN=${CARGO_TARGET_DIR:-target}/release/thanrak
fi
gen() { # rows file: a group column g01..g77, then 16 random 0/1 cells, about 20% deprived
    python3 - "$1" "$2" <<'PY'
import sys, numpy as np
rows, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(7)
with open(path, "wb") as f:
    f.write(("g," + ",".join(f"i{j + 1}" for j in range(16)) + "\n").encode())
    for start in range(0, rows, 1_000_000):
        n = min(1_000_000, rows - start)
        line = np.full((n, 36), ord(","), dtype=np.uint8)
        g = rng.integers(1, 78, n)
        line[:, 0] = ord("g")
        line[:, 1] = ord("0") + g // 10
        line[:, 2] = ord("0") + g % 10
        line[:, 4:36:2] = (rng.random((n, 16)) < 0.2).astype(np.uint8) + ord("0")
        line[:, 35] = ord("\n")
        f.write(line.tobytes())
PY
}
[ -f "$OUT/depg-$ROWS.csv" ] || gen "$ROWS" "$OUT/depg-$ROWS.csv"
[ -f "$OUT/depg-1000000.csv" ] || gen 1000000 "$OUT/depg-1000000.csv"
FILE="$OUT/depg-$ROWS.csv"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "data: $ROWS rows x 16 indicators + a 77-value group column ($(du -h "$FILE" | cut -f1))"
run() { # name command...: best of 3 wall seconds and the peak memory of that run
    local name=$1; shift
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$OUT/t.txt" "$@" >"$OUT/$name.json"
        read -r s kib <"$OUT/t.txt"
        if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; mem=$kib; fi
    done
    printf '%-22s %8.2f s %8d MiB\n' "$name" "$best" $((mem / 1024))
    echo "$best" >"$OUT/$name.secs"
}
cat "$FILE" >/dev/null # into the page cache
run read_file cat "$FILE"
run thanrak_1M "$BIN" mpi --deprivations "$OUT/depg-1000000.csv" --group-column g --k 1/3 --format json
run thanrak "$BIN" mpi --deprivations "$FILE" --group-column g --k 1/3 --format json
run polars python3 bench/mpi_polars.py "$FILE" 1/3 g
run pandas python3 bench/mpi_pandas.py "$FILE" 1/3 g
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
t, p, pd = (json.load(open(f"{out}/{n}.json")) for n in ("thanrak", "polars", "pandas"))
for other in (p, pd):
    for key in ("h", "a", "m0"):
        assert abs(t[key] - other[key]) < 1e-12, (key, t[key], other[key])
    assert sorted(t["groups"]) == sorted(other["groups"])
    for g, f in t["groups"].items():
        for key in ("h", "m0"):
            assert abs(f[key] - other["groups"][g][key]) < 1e-12, (g, key)
secs = {n: float(open(f"{out}/{n}.secs").read()) for n in ("read_file", "thanrak", "polars", "pandas")}
print(f"same H, A, M0 overall and in all {len(t['groups'])} groups as polars and pandas (H = {t['h']:.6f}, M0 = {t['m0']:.6f})")
print(f"polars takes {secs['polars'] / secs['thanrak']:.2f}x thanrak's time, pandas {secs['pandas'] / secs['thanrak']:.1f}x;"
      f" thanrak takes {secs['thanrak'] / max(secs['read_file'], 0.01):.1f}x the time of reading the file (cat)")
PY
