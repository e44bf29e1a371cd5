//! The exact solver of the matching (methodology §7): a min-cost flow on the sparse graph of
//! allowed pairs, by successive shortest paths with potentials, one unit (a household, or a
//! worker when households are not kept to one) at a time.
//!
//! The network: every unit sends one unit of flow either to one of its workers, from the worker
//! to one allowed position (cost: the distance in metres) and on to the sink (at most `places`
//! per position), or straight to the sink by its "unplaced" arc, whose cost is
//! [`UNPLACED`] (plus [`HARDSHIP`] for a unit of a hardship household). The costs are `i128`
//! and the three weights are powers of two far apart, so one sum orders solutions exactly as
//! §7 asks: hardship workers placed first, then workers placed, then the least total distance;
//! no sum of distances can reach [`UNPLACED`] (2⁴⁸ m) and no count of placements can reach
//! [`HARDSHIP`].
//!
//! Each unit is routed along a shortest path in the residual network (Dijkstra over reduced
//! costs, stopped at the sink); the potentials are then lowered on the nodes the search settled,
//! which keeps every residual arc's reduced cost non-negative. So after each unit the flow is a
//! min-cost flow of the units routed so far — the classic proof of successive shortest paths —
//! and after the last it is optimal. The sink's reverse arcs are never needed (a shortest path
//! stops at the sink), so a unit left unplaced stays unplaced. Units are routed in the order
//! given (the caller puts hardship units first, which keeps displacement paths short) and ties
//! are broken by node index, so the same input gives the same pairs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The cost of leaving a unit unplaced: above any sum of distances in metres.
pub const UNPLACED: i128 = 1 << 48;
/// The extra cost of leaving a unit of a hardship household unplaced: above any sum of
/// [`UNPLACED`] costs.
pub const HARDSHIP: i128 = 1 << 96;

/// No worker, arc or unit.
pub const NONE: u32 = u32::MAX;
/// A unit sent along its unplaced arc.
pub const BYPASS: u32 = u32::MAX - 1;

/// The network to solve, in compressed rows: units → workers → arcs (a position and a cost).
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// For unit `u`, its workers are `unit_workers[unit_start[u]..unit_start[u + 1]]`.
    pub unit_start: Vec<u32>,
    /// Worker indices, grouped by unit.
    pub unit_workers: Vec<u32>,
    /// Whether each unit is of a hardship household.
    pub unit_hardship: Vec<bool>,
    /// The unit of each worker.
    pub worker_unit: Vec<u32>,
    /// For worker `w`, its arcs are `arc_start[w]..arc_start[w + 1]`.
    pub arc_start: Vec<u32>,
    /// The position of each arc.
    pub arc_position: Vec<u32>,
    /// The cost of each arc (metres).
    pub arc_cost: Vec<u32>,
    /// The places of each position.
    pub places: Vec<u32>,
}

impl Network {
    /// The number of units.
    pub fn units(&self) -> usize {
        self.unit_hardship.len()
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.worker_unit.len()
    }

    /// The number of positions.
    pub fn positions(&self) -> usize {
        self.places.len()
    }

    /// The number of worker–position arcs.
    pub fn arcs(&self) -> usize {
        self.arc_position.len()
    }

    fn unplaced_cost(&self, unit: usize) -> i128 {
        if self.unit_hardship[unit] {
            HARDSHIP + UNPLACED
        } else {
            UNPLACED
        }
    }
}

/// A solution: for every worker the arc it is placed on, or [`NONE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// The arc of each worker, or [`NONE`].
    pub worker_arc: Vec<u32>,
}

impl Flow {
    /// The objective: (hardship units placed, units placed, total cost of the arcs used).
    pub fn objective(&self, net: &Network) -> (u64, u64, u64) {
        let (mut hard, mut placed, mut cost) = (0, 0, 0);
        for (w, &a) in self.worker_arc.iter().enumerate() {
            if a != NONE {
                placed += 1;
                hard += u64::from(net.unit_hardship[net.worker_unit[w] as usize]);
                cost += u64::from(net.arc_cost[a as usize]);
            }
        }
        (hard, placed, cost)
    }
}

/// Calls `progress(units routed, units)` now and then.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// Routes every unit in `order` (each unit once) and returns the optimal flow.
pub fn solve(net: &Network, order: &[u32], progress: Progress<'_>) -> Flow {
    let (nu, nw, np) = (net.units(), net.workers(), net.positions());
    let worker0 = nu;
    let pos0 = nu + nw;
    let sink = nu + nw + np;
    let n = sink + 1;

    let mut pot = vec![0i128; n];
    let mut unit_flow = vec![NONE; nu];
    let mut worker_arc = vec![NONE; nw];
    let mut load = vec![0u32; np];
    let mut assigned: Vec<Vec<u32>> = vec![Vec::new(); np];

    let mut dist = vec![0i128; n];
    // How each node was reached: the node before it and, for a worker's arc, the arc.
    let mut prev = vec![(NONE, NONE); n];
    let mut seen = vec![0u32; n];
    let mut settled_at = vec![0u32; n];
    let mut settled: Vec<u32> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(i128, u32)>> = BinaryHeap::new();

    for (done, &unit) in order.iter().enumerate() {
        if done % 1024 == 0 {
            progress(done, order.len());
        }
        let u = unit as usize;
        let stamp = done as u32 + 1;
        // Potentials of the new nodes: high enough that every arc out of them has a
        // non-negative reduced cost.
        let workers = &net.unit_workers[net.unit_start[u] as usize..net.unit_start[u + 1] as usize];
        let mut pu = pot[sink] - net.unplaced_cost(u);
        for &w in workers {
            let w = w as usize;
            let arcs = net.arc_start[w] as usize..net.arc_start[w + 1] as usize;
            let pw = arcs
                .map(|a| pot[pos0 + net.arc_position[a] as usize] - i128::from(net.arc_cost[a]))
                .max();
            if let Some(pw) = pw {
                pot[worker0 + w] = pw;
                pu = pu.max(pw);
            }
        }
        for &w in workers {
            let w = worker0 + w as usize;
            if pot[w] > pu || net.arc_start[w - worker0] == net.arc_start[w - worker0 + 1] {
                pot[w] = pu;
            }
        }
        pot[u] = pu;

        // Dijkstra from the unit over reduced costs, to the sink.
        heap.clear();
        settled.clear();
        dist[u] = 0;
        seen[u] = stamp;
        prev[u] = (NONE, NONE);
        heap.push(Reverse((0, u as u32)));
        macro_rules! relax {
            ($from:expr, $to:expr, $cost:expr, $arc:expr, $d:expr) => {{
                let (from, to): (usize, usize) = ($from, $to);
                if settled_at[to] != stamp {
                    let rc = $cost + pot[from] - pot[to];
                    debug_assert!(rc >= 0, "negative reduced cost {rc} on {from}->{to}");
                    let nd = $d + rc;
                    // A node no nearer than the sink's best path cannot shorten it.
                    let bound = if seen[sink] == stamp {
                        dist[sink]
                    } else {
                        i128::MAX
                    };
                    if nd < bound && (seen[to] != stamp || nd < dist[to]) {
                        seen[to] = stamp;
                        dist[to] = nd;
                        prev[to] = (from as u32, $arc);
                        heap.push(Reverse((nd, to as u32)));
                        // A position with a free place offers the sink at once, which
                        // bounds the search from here on.
                        if to >= pos0 && to < sink && load[to - pos0] < net.places[to - pos0] {
                            let ns = nd + pot[to] - pot[sink];
                            if seen[sink] != stamp || ns < dist[sink] {
                                seen[sink] = stamp;
                                dist[sink] = ns;
                                prev[sink] = (to as u32, NONE);
                                heap.push(Reverse((ns, sink as u32)));
                            }
                        }
                    }
                }
            }};
        }
        let total = loop {
            let Reverse((d, v)) = heap
                .pop()
                .expect("the unplaced arc always reaches the sink");
            let v = v as usize;
            if settled_at[v] == stamp || d > dist[v] {
                continue;
            }
            settled_at[v] = stamp;
            if v == sink {
                break d;
            }
            settled.push(v as u32);
            if v < worker0 {
                let flow = unit_flow[v];
                let ws = net.unit_start[v] as usize..net.unit_start[v + 1] as usize;
                for &w in &net.unit_workers[ws] {
                    if flow != w {
                        relax!(v, worker0 + w as usize, 0, NONE, d);
                    }
                }
                if flow != BYPASS {
                    relax!(v, sink, net.unplaced_cost(v), NONE, d);
                }
            } else if v < pos0 {
                let w = v - worker0;
                let current = worker_arc[w];
                // Positions with a free place first: they bound the others.
                for free in [true, false] {
                    for a in net.arc_start[w]..net.arc_start[w + 1] {
                        let p = net.arc_position[a as usize] as usize;
                        if a != current && (load[p] < net.places[p]) == free {
                            relax!(v, pos0 + p, i128::from(net.arc_cost[a as usize]), a, d);
                        }
                    }
                }
                if current != NONE {
                    relax!(v, net.worker_unit[w] as usize, 0, NONE, d);
                }
            } else {
                let p = v - pos0;
                if load[p] < net.places[p] {
                    relax!(v, sink, 0, NONE, d);
                }
                for &w in &assigned[p] {
                    let cost = -i128::from(net.arc_cost[worker_arc[w as usize] as usize]);
                    relax!(v, worker0 + w as usize, cost, NONE, d);
                }
            }
        };
        for &v in &settled {
            pot[v as usize] += dist[v as usize] - total;
        }

        // Augment along the path, from the sink back to the unit.
        let mut v = sink;
        while v != u {
            let (from, arc) = prev[v];
            let from = from as usize;
            if v == sink {
                if from < worker0 {
                    unit_flow[from] = BYPASS;
                } else {
                    load[from - pos0] += 1;
                }
            } else if v < worker0 {
                // Back from a worker to its unit: the worker gives its place up.
                worker_arc[from - worker0] = NONE;
            } else if v < pos0 {
                let w = (v - worker0) as u32;
                if from < worker0 {
                    unit_flow[from] = w;
                } else {
                    // Back from a position to a worker placed there.
                    let list = &mut assigned[from - pos0];
                    let at = list.iter().position(|&x| x == w).expect("placed worker");
                    list.swap_remove(at);
                }
            } else {
                let w = from - worker0;
                worker_arc[w] = arc;
                assigned[v - pos0].push(w as u32);
            }
            v = from;
        }
        // A position that lost a worker and took one keeps its load; one that only lost
        // one cannot occur (the path leaves a position only by the sink or a reverse arc).
    }
    progress(order.len(), order.len());
    Flow { worker_arc }
}
