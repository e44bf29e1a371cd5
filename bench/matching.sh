#!/usr/bin/env bash
# The matching of methodology §7 at province size against Google OR-Tools (issue 11).
#
#   bench/matching.sh [WORKERS…]        (default: 10000 30000 100000)
#
# Builds each instance (20,000 positions of 5 places on average over a Lampang-sized box, 30 km
# reach), times thanrak's graph building and exact solver (`cargo bench -p thanrak-core --bench
# matching`), then OR-Tools' SimpleMinCostFlow on the same instance from Python, graph building
# included for both; prints both tables: times, arcs, the objective (hardship placed, placed,
# total metres — they must be equal) and peak memory. OR-Tools is installed into a venv under
# /tmp (VENV=), never into the repository. MATCH_MAX_M= changes the reach (metres),
# MATCH_MAX_PLACES= the most places of a position (default 9; 3 makes places scarce). Last, the
# import of 200,000 enterprises (bench/enterprises.py) and a few lists of that registry.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 30000 100000}")
read -r -a sizes <<<"${sizes[*]}"
max_m="${MATCH_MAX_M:-30000}"
venv="${VENV:-/tmp/ortools-venv}"
dir="$(mktemp -d /tmp/thanrak-matching.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ortools numpy
fi
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== thanrak (build + exact min-cost flow), reach ${max_m} m"
MATCH_BENCH_DIR="$dir" MATCH_MAX_M="$max_m" MATCH_MAX_PLACES="${MATCH_MAX_PLACES:-9}" cargo bench -q -p thanrak-core --bench matching -- "${sizes[@]}"
echo "== OR-Tools SimpleMinCostFlow (numpy graph building + solve), same instances"
for n in "${sizes[@]}"; do
  "$venv/bin/python" bench/matching_ortools.py "$dir" "$max_m" "$n" | { [ "$n" = "${sizes[0]}" ] && cat || tail -n +2; }
done

echo "== the registry: import of 200,000 enterprises (a third with a position), then lists"
cargo build -q --release -p thanrak
bin="${CARGO_TARGET_DIR:-target}/release/thanrak"
python3 bench/enterprises.py "$dir/enterprises.csv" 200000
db="sqlite://$dir/registry.db"
"$bin" --database-url "$db" rounds >/dev/null 2>&1 || true
/usr/bin/time -f "import: %e s, peak %M KB" "$bin" --database-url "$db" enterprises import "$dir/enterprises.csv"
for args in "--area 52 --limit 50" "--kind otop --limit 50" "--area 5201 --kind cbt --limit 50" "--name ผ้าไหม --limit 50"; do
  # shellcheck disable=SC2086
  /usr/bin/time -f "list $args: %e s (process included)" "$bin" --database-url "$db" enterprises list $args >/dev/null 2>"$dir/list.err" || true
  tail -1 "$dir/list.err"
done
