#!/usr/bin/env bash
# The standalone MPI calculator on a 10-million-row, 16-indicator CSV, against a straightforward
# pandas implementation of the same figures (bench/mpi_pandas.py) in the same run. Also shows that
# thanrak's memory does not grow with the number of rows (1 million vs 10 million).
#
#   bench/mpi-standalone.sh          # ROWS=2000000 bench/mpi-standalone.sh for a quicker run
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
OUT=bench/out
mkdir -p "$OUT"
python3 -c "import pandas" 2>/dev/null || pip install -q pandas
cargo build --release -q -p thanrak
BIN=target/release/thanrak
gen() { # rows file: random 0/1 cells, about 20% deprived, written with numpy in one go
    python3 - "$1" "$2" <<'PY'
import sys, numpy as np
rows, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(7)
with open(path, "wb") as f:
    f.write((",".join(f"i{j + 1}" for j in range(16)) + "\n").encode())
    for start in range(0, rows, 1_000_000):
        n = min(1_000_000, rows - start)
        cells = (rng.random((n, 16)) < 0.2).astype(np.uint8) + ord("0")
        line = np.full((n, 32), ord(","), dtype=np.uint8)
        line[:, 0::2] = cells
        line[:, 31] = ord("\n")
        f.write(line.tobytes())
PY
}
[ -f "$OUT/dep-$ROWS.csv" ] || gen "$ROWS" "$OUT/dep-$ROWS.csv"
[ -f "$OUT/dep-1000000.csv" ] || gen 1000000 "$OUT/dep-1000000.csv"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "data: $ROWS rows x 16 indicators ($(du -h "$OUT/dep-$ROWS.csv" | cut -f1))"
run() { # name command...
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$OUT/t.txt" "$@" >"$OUT/$name.json"
    read -r s kib <"$OUT/t.txt"
    printf '%-26s %8.2f s %8d MiB\n' "$name" "$s" $((kib / 1024))
    echo "$s" >"$OUT/$name.secs"
}
run thanrak_1M $BIN mpi --deprivations "$OUT/dep-1000000.csv" --k 1/3 --format json
run thanrak $BIN mpi --deprivations "$OUT/dep-$ROWS.csv" --k 1/3 --format json
run pandas python3 bench/mpi_pandas.py "$OUT/dep-$ROWS.csv" 1/3
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
t, p = (json.load(open(f"{out}/{n}.json")) for n in ("thanrak", "pandas"))
for key in ("h", "a", "m0"):
    assert abs(t[key] - p[key]) < 1e-9, (key, t[key], p[key])
ts, ps = (float(open(f"{out}/{n}.secs").read()) for n in ("thanrak", "pandas"))
print(f"same H, A, M0 as pandas (H = {t['h']:.6f}, M0 = {t['m0']:.6f}); pandas takes {ps / ts:.1f}x thanrak's time")
PY
