"""OR-Tools' SimpleMinCostFlow on the same matching as thanrak's bench (methodology §7).

Reads the instance the Rust bench wrote (workers-N.csv: household, lat, lon, skill bits,
hardship; positions-N.csv: lat, lon, skill bits wanted, places), builds the allowed-pair graph
itself with numpy (the same rule: great-circle distance 2R*asin(chord/2) rounded to whole
metres within the reach, a skill in common or none wanted), then the same network as thanrak
(a unit per household with supply 1; unit -> worker -> position -> sink, and unit -> sink for
"unplaced") with one int64 cost that orders solutions as thanrak's lexicographic one does:
unplaced costs BIG (2 BIG for hardship), BIG = reach * min(units, places) + 1 (see below).
Prints times (graph building included), the objective and peak memory, tab-separated.
"""
import resource
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow

R = 6_371_008.8


def unit(lat, lon):
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


def main(directory, n, max_m):
    w = np.loadtxt(f"{directory}/workers-{n}.csv", delimiter=",")
    p = np.loadtxt(f"{directory}/positions-{n}.csv", delimiter=",")
    t0 = time.perf_counter()
    hh = w[:, 0].astype(np.int64)
    wskills = w[:, 3].astype(np.int64)
    whard = w[:, 4].astype(bool)
    wv = unit(w[:, 1], w[:, 2])
    pwanted = p[:, 2].astype(np.int64)
    places = p[:, 3].astype(np.int64)
    pv = unit(p[:, 0], p[:, 1])
    # Cells of the reach; a worker looks at the positions of its own and the eight around.
    cell_lat = np.degrees(max_m / R) * 1.001
    cell_lon = cell_lat / np.cos(np.radians(max(np.abs(w[:, 1]).max(), np.abs(p[:, 0]).max())))
    wc = np.stack([np.floor(w[:, 1] / cell_lat), np.floor(w[:, 2] / cell_lon)], 1).astype(np.int64)
    pc = np.stack([np.floor(p[:, 0] / cell_lat), np.floor(p[:, 1] / cell_lon)], 1).astype(np.int64)
    pos_by_cell = {}
    for i, c in enumerate(map(tuple, pc)):
        pos_by_cell.setdefault(c, []).append(i)
    pos_by_cell = {c: np.array(v) for c, v in pos_by_cell.items()}
    w_by_cell = {}
    for i, c in enumerate(map(tuple, wc)):
        w_by_cell.setdefault(c, []).append(i)
    tails, heads, costs = [], [], []
    for c, ws in w_by_cell.items():
        ws = np.array(ws)
        cand = [pos_by_cell[(c[0] + dy, c[1] + dx)] for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                if (c[0] + dy, c[1] + dx) in pos_by_cell]
        if not cand:
            continue
        ps = np.concatenate(cand)
        diff = wv[ws][:, None, :] - pv[ps][None, :, :]
        c2 = np.einsum("ijk,ijk->ij", diff, diff)
        d = np.round(2 * R * np.arcsin(np.minimum(np.sqrt(c2) / 2, 1.0)))
        fit = (pwanted[ps][None, :] == 0) | ((wskills[ws][:, None] & pwanted[ps][None, :]) != 0)
        ok = (d <= max_m) & fit & (places[ps][None, :] > 0)
        i, j = np.nonzero(ok)
        tails.append(ws[i])
        heads.append(ps[j])
        costs.append(d[i, j].astype(np.int64))
    tails, heads, costs = np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)
    # Units: one per household, numbered by first appearance as in thanrak.
    _, first, unit_of = np.unique(hh, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    unit_of = rank[unit_of]
    units = len(order)
    uhard = np.zeros(units, bool)
    np.logical_or.at(uhard, unit_of, whard)
    nw, npos = len(w), len(p)
    W0, P0, SINK = units, units + nw, units + nw + npos
    # Unplaced costs BIG (2 BIG for hardship), BIG above any total distance. This is exact: the
    # sets of units that can be placed together are the independent sets of a matroid (a
    # gammoid), so one placement reaches both the most hardship units and the most units, and
    # a solution short of either costs at least BIG - (any distance saved) > 0 more. (Weights
    # of BIG and BIG * (units + 1) overflow OR-Tools' cost scaling at 100,000 workers.)
    big_p = max_m * min(units, int(places.sum())) + 1
    big_h = big_p
    smcf = min_cost_flow.SimpleMinCostFlow()
    ar = lambda *xs: np.concatenate(xs).astype(np.int64)
    smcf.add_arcs_with_capacity_and_unit_cost(
        ar(unit_of, W0 + tails, P0 + np.arange(npos), np.arange(units)),
        ar(W0 + np.arange(nw), P0 + heads, np.full(npos, SINK), np.full(units, SINK)),
        ar(np.ones(nw), np.ones(len(tails)), places, np.ones(units)),
        ar(np.zeros(nw), costs, np.zeros(npos), big_p + big_h * uhard),
    )
    supplies = np.zeros(SINK + 1, np.int64)
    supplies[:units] = 1
    supplies[SINK] = -units
    smcf.set_nodes_supplies(np.arange(SINK + 1), supplies)
    t1 = time.perf_counter()
    status = smcf.solve()
    t2 = time.perf_counter()
    if status != smcf.OPTIMAL:
        print(f"{n}\tOR-Tools status {status}", flush=True)
        return
    flows = smcf.flows(np.arange(nw, nw + len(tails)))
    used = flows > 0
    placed = int(used.sum())
    hard = int(whard[tails[used]].sum())
    dist = int(costs[used].sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{n}\t{units}\t{len(tails)}\t{t1 - t0:.2f}\t{t2 - t1:.2f}\t{t2 - t0:.2f}\t{hard}\t{placed}\t{dist}\t{peak}", flush=True)


if __name__ == "__main__":
    directory, max_m = sys.argv[1], int(sys.argv[2])
    print("workers\tunits\tarcs\tbuild_s\tsolve_s\ttotal_s\thardship_placed\tplaced\tdistance_m\tpeak_mib")
    for n in sys.argv[3:]:
        main(directory, int(n), max_m)
