//! The exact solver of the matching (methodology §7) on the sparse graph of allowed pairs: every
//! unit (a household, or a worker when households are not kept to one) is placed through one of
//! its workers on one allowed position (cost: the distance in metres), at most `places` per
//! position, or left unplaced; §7 orders solutions by hardship units placed, then units placed,
//! then the least total distance.
//!
//! [`solve`] takes the criteria in turn, so that no cost carries a lexicographic weight:
//!
//! 1. the two counts, by augmenting paths (hardship units first; the placeable sets form a
//!    matroid, so that greedy order reaches both maxima at once — see `Cardinality`);
//! 2. the least total distance among the placements with those counts, as a balanced
//!    transportation problem (two "unplaced" objects whose places are exactly the units the
//!    counts leave out, fillers for the places left empty) solved by Bertsekas's auction with
//!    ε-scaling on costs scaled by the number of persons + 1, exact at ε = 1 — see `auction`;
//!    each unit keeps its few cheapest positions between bids and rescans its arcs only when
//!    they may no longer be its best — see `Cache`.
//!
//! The graph builder gives each worker's arcs in order of cost (then position); with that order
//! (checked, see `arcs_by_cost`) the auction's scans and the shortest-path searches stop at the
//! first arc too dear to matter. Any order gives the same optimum, only more slowly.
//!
//! Units are first tried in the order given (the caller puts hardship units first) and every
//! choice between equals goes to the first in a fixed order, so the same input gives the same
//! pairs.
//!
//! [`solve_ssp`] is the former solver, kept as the reference the tests compare with and as the
//! fallback should the auction's `i64` prices ever approach overflow: a min-cost flow by
//! successive shortest paths with potentials, one unit at a time, over `i128` costs whose
//! weights [`UNPLACED`] (2⁴⁸) and [`HARDSHIP`] (2⁹⁶) make one sum lexicographic (no sum of
//! distances can reach [`UNPLACED`] and no count of placements can reach [`HARDSHIP`]). Each unit
//! is routed along a shortest path in the residual network (Dijkstra over reduced costs, stopped
//! at the sink); the potentials are then lowered on the nodes the search settled, which keeps
//! every residual arc's reduced cost non-negative, so after each unit the flow is a min-cost flow
//! of the units routed so far. It is fast when places are plentiful (with arcs in order of cost,
//! a worker's arcs are read only while one could still beat the best path to the sink) and slow
//! when they are scarce: a unit left unplaced must search everything cheaper than its unplaced
//! arc.

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
    /// For worker `w`, its arcs are `arc_start[w]..arc_start[w + 1]`, best in order of cost (the
    /// searches then stop early; any order is solved exactly).
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

/// Solves the matching exactly and returns the optimal flow: the counts first (augmenting paths,
/// hardship units before the others), then the least total distance among the placements with
/// those counts (an ε-scaling auction). `order` is the order units are first tried in (hardship
/// units first); the result depends only on the network and `order`, so the same input gives
/// the same pairs.
pub fn solve(net: &Network, order: &[u32], progress: Progress<'_>) -> Flow {
    let total = order.len();
    let card = counts(net, order, &mut |done| progress(done / 4, total));
    // With every unit placeable, successive shortest paths stop early and are the faster (the
    // auction's fillers then outnumber the units); with units left out, each of those makes a
    // shortest-path search cover everything cheaper than its unplaced arc, and the auction is.
    let all_placed = (0..net.units()).all(|u| {
        card.unit_arc[u] != NONE
            || net.unit_workers[net.unit_start[u] as usize..net.unit_start[u + 1] as usize]
                .iter()
                .all(|&w| {
                    (net.arc_start[w as usize]..net.arc_start[w as usize + 1])
                        .all(|a| card.cap[net.arc_position[a as usize] as usize] == 0)
                })
    });
    if all_placed {
        return solve_ssp(net, order, progress);
    }
    match auction(net, order, &card, &mut *progress) {
        Some(flow) => {
            progress(total, total);
            flow
        }
        None => solve_ssp(net, order, progress),
    }
}

/// The two counts: every hardship unit tried before any other (`done(units tried)` now and
/// then).
fn counts(net: &Network, order: &[u32], done: &mut dyn FnMut(usize)) -> Cardinality {
    let mut card = Cardinality::new(net);
    let mut tried = 0;
    // Hardship units first: an augmenting path moves placed units but never unplaces one, so
    // the second pass keeps every hardship unit the first placed.
    for hardship in [true, false] {
        for &u in order {
            if net.unit_hardship[u as usize] == hardship {
                card.augment(net, u);
                tried += 1;
                if tried % 4096 == 0 {
                    done(tried);
                }
            }
        }
    }
    card
}

/// The most hardship units placed, then the most units placed (§7's first two criteria), by
/// augmenting paths in the bipartite graph of units and positions' places.
///
/// The sets of units that can be placed together are the independent sets of a matroid (a
/// gammoid), so the greedy order — every hardship unit tried before any other — reaches both
/// maxima at once, and a unit's augmenting path never unplaces another. A breadth-first search
/// that finds no free place has visited a closed set: full positions whose holders reach only
/// positions of the set. No later augmenting path can enter it (it could never leave), so its
/// positions are dead for good and later searches skip them; failed searches thus cost the arcs
/// once in all. The unit tried takes, if it can, the free place first in a fixed pseudo-random
/// order of the positions (see `first_free_arc`); every unit a search meets is asked at once
/// for a free place of its own, through a pointer past its arcs to full positions (loads only
/// grow), read from the dearest arc.
struct Cardinality {
    /// The places of position `p` worth having: at most one per arc into it.
    cap: Vec<u32>,
    /// Position `p`'s places are `holder[slot_start[p]..slot_start[p + 1]]`.
    slot_start: Vec<u32>,
    /// The unit in each place, or [`NONE`].
    holder: Vec<u32>,
    load: Vec<u32>,
    /// The arc each unit is placed by, or [`NONE`].
    unit_arc: Vec<u32>,
    stamp: Vec<u32>,
    dead: Vec<bool>,
    parent_unit: Vec<u32>,
    parent_arc: Vec<u32>,
    /// Each worker's arcs from `next[w]` on go to full positions.
    next: Vec<u32>,
    /// The free places worth having, in all.
    free: u64,
    search: u32,
    queue: Vec<u32>,
    visited: Vec<u32>,
}

impl Cardinality {
    fn new(net: &Network) -> Cardinality {
        let np = net.positions();
        let mut indegree = vec![0u32; np];
        for &p in &net.arc_position {
            indegree[p as usize] = indegree[p as usize].saturating_add(1);
        }
        let cap: Vec<u32> = net
            .places
            .iter()
            .zip(&indegree)
            .map(|(&c, &i)| c.min(i))
            .collect();
        let mut slot_start = Vec::with_capacity(np + 1);
        slot_start.push(0u32);
        for &c in &cap {
            slot_start.push(slot_start.last().expect("starts at 0") + c);
        }
        let slots = *slot_start.last().expect("starts at 0") as usize;
        Cardinality {
            cap,
            slot_start,
            holder: vec![NONE; slots],
            load: vec![0; np],
            unit_arc: vec![NONE; net.units()],
            stamp: vec![0; np],
            dead: vec![false; np],
            parent_unit: vec![NONE; np],
            parent_arc: vec![NONE; np],
            next: net.arc_start[1..].to_vec(),
            free: slots as u64,
            search: 0,
            queue: Vec::new(),
            visited: Vec::new(),
        }
    }

    fn slots(&self, p: usize) -> std::ops::Range<usize> {
        self.slot_start[p] as usize..self.slot_start[p + 1] as usize
    }

    /// An arc of unit `v` to a position with a free place. Loads only grow, so each worker's
    /// arcs to full positions are passed over once in all (`next`).
    fn free_arc(&mut self, net: &Network, v: usize) -> Option<u32> {
        for &w in &net.unit_workers[net.unit_start[v] as usize..net.unit_start[v + 1] as usize] {
            let w = w as usize;
            let begin = net.arc_start[w];
            let mut a = self.next[w];
            while a > begin {
                let p = net.arc_position[a as usize - 1] as usize;
                if self.load[p] < self.cap[p] {
                    self.next[w] = a;
                    return Some(a - 1);
                }
                a -= 1;
            }
            self.next[w] = begin;
        }
        None
    }

    /// The arc of unit `v` to the position with a free place that comes first in one fixed
    /// pseudo-random order of the positions, the same for every unit. Every unit tried
    /// preferring the same positions leaves the free places spread over the map, each unit
    /// near some, so that later augmenting paths stay short (nearest-first leaves them far
    /// from the crowded villages, and paths then run through dozens of units).
    fn first_free_arc(&self, net: &Network, v: usize) -> Option<u32> {
        let rank = |p: usize| (p as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut best = None;
        let mut best_rank = u64::MAX;
        for &w in &net.unit_workers[net.unit_start[v] as usize..net.unit_start[v + 1] as usize] {
            for a in net.arc_start[w as usize]..net.arc_start[w as usize + 1] {
                let p = net.arc_position[a as usize] as usize;
                if self.load[p] < self.cap[p] && rank(p) < best_rank {
                    best_rank = rank(p);
                    best = Some(a);
                }
            }
        }
        best
    }

    /// Places unit `u` if an augmenting path reaches a free place: breadth-first over full
    /// positions, each unit met asked at once for a free place of its own.
    fn augment(&mut self, net: &Network, u: u32) {
        if self.free == 0 {
            // No free place anywhere: no augmenting path.
            return;
        }
        self.search += 1;
        let sid = self.search;
        self.queue.clear();
        self.visited.clear();
        let found = match self.first_free_arc(net, u as usize) {
            Some(a) => Some((u, a)),
            None => {
                self.queue.push(u);
                let mut head = 0;
                'bfs: loop {
                    let Some(&v) = self.queue.get(head) else {
                        break None;
                    };
                    head += 1;
                    let v = v as usize;
                    let workers = net.unit_start[v] as usize..net.unit_start[v + 1] as usize;
                    for &w in &net.unit_workers[workers] {
                        let w = w as usize;
                        for a in net.arc_start[w]..net.arc_start[w + 1] {
                            let p = net.arc_position[a as usize] as usize;
                            if self.cap[p] == 0 || self.dead[p] || self.stamp[p] == sid {
                                continue;
                            }
                            // Full: `v` was asked for a free place before it was queued.
                            debug_assert_eq!(self.load[p], self.cap[p]);
                            self.stamp[p] = sid;
                            self.parent_unit[p] = v as u32;
                            self.parent_arc[p] = a;
                            self.visited.push(p as u32);
                            for s in self.slots(p) {
                                let h = self.holder[s];
                                if let Some(b) = self.free_arc(net, h as usize) {
                                    break 'bfs Some((h, b));
                                }
                                self.queue.push(h);
                            }
                        }
                    }
                }
            }
        };
        let Some((v, a)) = found else {
            for &p in &self.visited {
                self.dead[p as usize] = true;
            }
            return;
        };
        let mut p = net.arc_position[a as usize] as usize;
        self.parent_unit[p] = v;
        self.parent_arc[p] = a;
        // Along the path back: each unit takes the place the next one leaves.
        let mut slot = self
            .slots(p)
            .find(|&s| self.holder[s] == NONE)
            .expect("a free place");
        self.load[p] += 1;
        self.free -= 1;
        loop {
            let v = self.parent_unit[p];
            let old = self.unit_arc[v as usize];
            self.holder[slot] = v;
            self.unit_arc[v as usize] = self.parent_arc[p];
            if old == NONE {
                break;
            }
            p = net.arc_position[old as usize] as usize;
            slot = self
                .slots(p)
                .find(|&s| self.holder[s] == v)
                .expect("the unit's place");
        }
    }
}

/// Whether each worker's arcs are in order of cost, which lets the searches stop early.
fn arcs_by_cost(net: &Network) -> bool {
    (0..net.workers()).all(|w| {
        let arcs = net.arc_start[w] as usize..net.arc_start[w + 1] as usize;
        net.arc_cost[arcs].windows(2).all(|c| c[0] <= c[1])
    })
}

/// The price of an object without a place: above every real price and cost.
const NO_PLACE: i64 = 1 << 61;
/// Prices and scaled costs stay below this, so no sum overflows (else [`solve_ssp`]).
const LIMIT: i64 = 1 << 60;
/// How much ε shrinks from one scaling phase to the next.
const ALPHA: i64 = 8;
/// A filler (see [`auction`]) holding a place.
const FILLER: u32 = u32::MAX - 2;

/// Places as objects of an auction: the places of object `o` are a binary min-heap by price in
/// `price[start[o]..start[o + 1]]` (so the cheapest is first and the next among its children),
/// each with its holder; a tournament tree over the positions' cheapest prices serves the
/// fillers.
struct Market {
    start: Vec<u32>,
    price: Vec<i64>,
    holder: Vec<u32>,
    /// The cheapest price of each object, or [`NO_PLACE`].
    first: Vec<i64>,
    /// Tournament tree over the positions: (cheapest price, whether that place is held,
    /// position), leaves from `leaves`.
    tree: Vec<(i64, bool, u32)>,
    leaves: usize,
    positions: usize,
}

impl Market {
    fn new(sizes: &[u32], positions: usize) -> Market {
        let mut start = Vec::with_capacity(sizes.len() + 1);
        start.push(0u32);
        for &s in sizes {
            start.push(start.last().expect("starts at 0") + s);
        }
        let slots = *start.last().expect("starts at 0") as usize;
        let first = sizes
            .iter()
            .map(|&s| if s == 0 { NO_PLACE } else { 0 })
            .collect::<Vec<_>>();
        let leaves = positions.next_power_of_two().max(1);
        let mut market = Market {
            start,
            price: vec![0; slots],
            holder: vec![NONE; slots],
            first,
            tree: vec![(NO_PLACE, false, u32::MAX); 2 * leaves],
            leaves,
            positions,
        };
        market.rebuild();
        market
    }

    /// The order of places: by price, a free place before a held one.
    fn key(&self, s: usize) -> (i64, bool) {
        (self.price[s], self.holder[s] != NONE)
    }

    /// Starts a phase: every place free, those of fillers at the lowest price (any prices are
    /// valid at the start of a phase; these were within ε of the lowest, and levelling them
    /// spares the fillers a war among themselves), every heap and the tree rebuilt.
    ///
    /// Returns the most any price fell (the fillers' places only), which bounds how far any
    /// object's cheapest price fell.
    fn rebuild(&mut self) -> i64 {
        let lowest = self.price.iter().copied().min().unwrap_or(0);
        let mut fell = 0;
        for (p, h) in self.price.iter_mut().zip(&mut self.holder) {
            if *h == FILLER {
                fell = fell.max(*p - lowest);
                *p = lowest;
            }
            *h = NONE;
        }
        for o in 0..self.start.len() - 1 {
            let (s, len) = (
                self.start[o] as usize,
                (self.start[o + 1] - self.start[o]) as usize,
            );
            for k in (0..len / 2).rev() {
                self.sift_down(s, len, k);
            }
            self.first[o] = if len == 0 { NO_PLACE } else { self.price[s] };
        }
        for p in 0..self.positions {
            let s = self.start[p] as usize;
            let held = self.first[p] < NO_PLACE && self.holder[s] != NONE;
            self.tree[self.leaves + p] = (self.first[p], held, p as u32);
        }
        for i in (1..self.leaves).rev() {
            self.tree[i] = self.tree[2 * i].min(self.tree[2 * i + 1]);
        }
        fell
    }

    fn sift_down(&mut self, s: usize, len: usize, mut k: usize) {
        loop {
            let l = 2 * k + 1;
            if l >= len {
                break;
            }
            let m = if l + 1 < len && self.key(s + l + 1) < self.key(s + l) {
                l + 1
            } else {
                l
            };
            if self.key(s + m) < self.key(s + k) {
                self.price.swap(s + m, s + k);
                self.holder.swap(s + m, s + k);
                k = m;
            } else {
                break;
            }
        }
    }

    /// The second cheapest price of object `o`, or [`NO_PLACE`].
    fn second(&self, o: usize) -> i64 {
        let (s, len) = (
            self.start[o] as usize,
            (self.start[o + 1] - self.start[o]) as usize,
        );
        match len {
            0 | 1 => NO_PLACE,
            2 => self.price[s + 1],
            _ => self.price[s + 1].min(self.price[s + 2]),
        }
    }

    /// The cheapest price over the positions other than `p`.
    fn first_except(&self, p: usize) -> i64 {
        let mut i = self.leaves + p;
        let mut best = NO_PLACE;
        while i > 1 {
            best = best.min(self.tree[i ^ 1].0);
            i /= 2;
        }
        best
    }

    /// `who` takes the cheapest place of `o` at `price`; returns its former holder.
    fn take(&mut self, o: usize, price: i64, who: u32) -> u32 {
        let (s, len) = (
            self.start[o] as usize,
            (self.start[o + 1] - self.start[o]) as usize,
        );
        let displaced = self.holder[s];
        self.holder[s] = who;
        self.price[s] = price;
        self.sift_down(s, len, 0);
        self.first[o] = self.price[s];
        if o < self.positions {
            let mut i = self.leaves + o;
            self.tree[i] = (self.price[s], self.holder[s] != NONE, o as u32);
            while i > 1 {
                i /= 2;
                self.tree[i] = self.tree[2 * i].min(self.tree[2 * i + 1]);
            }
        }
        displaced
    }
}

/// How many positions [`Cache`] keeps for each unit.
const CACHED: usize = 8;

/// Each unit's cheapest positions, so that a bid need not rescan all its arcs (the
/// "look-ahead" of Bertsekas's auction and of Goldberg and Kennedy's CSA-Q): a scan keeps the
/// [`CACHED`] positions of least value (scaled cost + cheapest price) with their costs, and a
/// lower bound on the value of every other position. Within a phase prices only rise, so the
/// other positions' values stay above that bound; between phases they fall by at most what
/// [`Market::rebuild`] reports, summed in `fell`. A bid takes the cached positions at their
/// current prices; while the best of them is within the bound it is the unit's best of all,
/// and the bound stands in for anything above the cached second; otherwise the unit rescans.
struct Cache {
    /// (scaled cost, position, arc), [`CACHED`] a unit.
    entries: Vec<(i64, u32, u32)>,
    len: Vec<u8>,
    /// The least value of an uncached position at the scan, or [`NO_PLACE`].
    bound: Vec<i64>,
    /// `fell` at the scan.
    fell_at: Vec<i64>,
    /// What prices have fallen by in all, at most.
    fell: i64,
    /// Whether each worker's arcs are in order of cost.
    by_cost: bool,
}

impl Cache {
    fn new(net: &Network) -> Cache {
        let units = net.units();
        let by_cost = arcs_by_cost(net);
        Cache {
            by_cost,
            entries: vec![(0, 0, 0); units * CACHED],
            len: vec![0; units],
            // Below any value: the first bid scans.
            bound: vec![i64::MIN / 4; units],
            fell_at: vec![0; units],
            fell: 0,
        }
    }

    /// Rescans unit `u`'s arcs at prices `first`, none below `floor`; with each worker's arcs
    /// in order of cost (`by_cost`), a worker's scan stops at the first arc that cannot be
    /// kept.
    fn scan(&mut self, net: &Network, scale: i64, first: &[i64], floor: i64, u: usize) {
        // (value, scaled cost, position, arc), by value.
        let mut top = [(0i64, 0i64, 0u32, 0u32); CACHED];
        let mut n = 0;
        let mut rest = NO_PLACE;
        for &w in &net.unit_workers[net.unit_start[u] as usize..net.unit_start[u + 1] as usize] {
            for a in net.arc_start[w as usize] as usize..net.arc_start[w as usize + 1] as usize {
                let p = net.arc_position[a];
                let c = i64::from(net.arc_cost[a]) * scale;
                if self.by_cost && n == CACHED && c + floor >= top[CACHED - 1].0 {
                    rest = rest.min(c + floor);
                    break;
                }
                let v = c + first[p as usize];
                if v >= rest || v >= NO_PLACE || (n == CACHED && v >= top[CACHED - 1].0) {
                    if n == CACHED && v < rest && !top.iter().any(|e| e.2 == p) {
                        rest = v;
                    }
                    continue;
                }
                // Below the bound and below the last kept (or room left).
                let mut i = match top[..n].iter().position(|e| e.2 == p) {
                    Some(i) if top[i].0 <= v => continue,
                    Some(i) => i,
                    None if n < CACHED => {
                        n += 1;
                        n - 1
                    }
                    None => {
                        rest = rest.min(top[CACHED - 1].0);
                        CACHED - 1
                    }
                };
                top[i] = (v, c, p, a as u32);
                while i > 0 && top[i - 1].0 > v {
                    top.swap(i - 1, i);
                    i -= 1;
                }
            }
        }
        let at = u * CACHED;
        for (e, t) in self.entries[at..at + n].iter_mut().zip(&top[..n]) {
            *e = (t.1, t.2, t.3);
        }
        self.len[u] = n as u8;
        self.bound[u] = rest;
        self.fell_at[u] = self.fell;
    }

    /// Unit `u`'s best position over all its arcs at prices `first`: (value, position, arc,
    /// a lower bound on the value of any other position).
    fn best(
        &mut self,
        net: &Network,
        scale: i64,
        first: &[i64],
        floor: i64,
        u: usize,
    ) -> (i64, usize, u32, i64) {
        let mut fresh = false;
        loop {
            let at = u * CACHED;
            let (mut best, mut best_o, mut best_arc, mut second) =
                (NO_PLACE, usize::MAX, NONE, NO_PLACE);
            for &(c, p, a) in &self.entries[at..at + self.len[u] as usize] {
                let v = c + first[p as usize];
                if v < best {
                    second = best;
                    best = v;
                    best_o = p as usize;
                    best_arc = a;
                } else if v < second {
                    second = v;
                }
            }
            let bound = if self.bound[u] >= NO_PLACE {
                NO_PLACE
            } else {
                self.bound[u] - (self.fell - self.fell_at[u])
            };
            // A fresh scan's best is within its bound.
            if best <= bound || fresh {
                return (best, best_o, best_arc, second.min(bound));
            }
            self.scan(net, scale, first, floor, u);
            fresh = true;
        }
    }
}

/// The least total distance with the counts of [`Cardinality`] (§7's third criterion), by
/// Bertsekas's auction with ε-scaling on a balanced transportation problem:
///
/// - the persons: every unit with an arc to a position with a place, and `D` fillers (places
///   left empty), `D` = the positions' places − the units placed;
/// - the objects: the positions (their places), one "unplaced" object with as many places as
///   hardship units must stay unplaced (those the counts leave out) and one with as many as
///   other units must, each for its kind of unit only, at cost 0; a filler may take any
///   position's place at cost 0.
///
/// Persons and places are equal in number, and the assignments are exactly the placements
/// reaching both counts (the unplaced objects hold the units left out; the fillers the empty
/// places), so the cheapest one is §7's optimum, and its costs are distances only: at most the
/// reach, with no lexicographic weight.
///
/// The auction, with costs scaled by `S` = persons + 1: in each phase every person starts
/// unassigned and bids, in turn, for the place cheapest to it (cost + price), raising that
/// place's price by the margin to its second best plus ε and displacing the holder, until all
/// hold a place; prices are kept from phase to phase and ε shrinks by [`ALPHA`] down to 1. A
/// phase ends with ε-complementary slackness (each person within ε of its best), and a full
/// assignment in that state costs at most `persons × ε` more than the optimum; with ε = 1 that
/// is less than one metre before scaling, so the last phase is optimal (Bertsekas, *Network
/// Optimization*, 1998, §7.2). A phase ends because a full assignment exists (the counts'
/// placement, filled).
///
/// Integers: scaled costs are at most `reach × S` and prices stay below [`LIMIT`] (2⁶⁰), so a
/// cost plus a price never overflows `i64`; the check is made before the auction (on the
/// costs) and at every bid (on the price). In practice prices stay within a few times the
/// largest scaled cost (`30 km × 10⁵` persons ≈ 3·10⁹ against 1.2·10¹⁸), but if a bid would
/// pass the limit the auction gives up and [`solve_ssp`] (exact, `i128`) answers instead.
fn auction(
    net: &Network,
    order: &[u32],
    card: &Cardinality,
    progress: Progress<'_>,
) -> Option<Flow> {
    let np = net.positions();
    let (unplaced_hard, unplaced_other) = (np, np + 1);
    let workers_of =
        |u: usize| &net.unit_workers[net.unit_start[u] as usize..net.unit_start[u + 1] as usize];
    let arcs_of =
        |w: u32| net.arc_start[w as usize] as usize..net.arc_start[w as usize + 1] as usize;
    let usable = |u: usize| {
        workers_of(u)
            .iter()
            .any(|&w| arcs_of(w).any(|a| card.cap[net.arc_position[a] as usize] > 0))
    };
    let persons: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&u| usable(u as usize))
        .collect();
    let (mut hard, mut hard_placed, mut placed) = (0u64, 0u64, 0u64);
    let mut cmax = 0u32;
    for &u in &persons {
        let u = u as usize;
        let h = net.unit_hardship[u];
        hard += u64::from(h);
        if card.unit_arc[u] != NONE {
            placed += 1;
            hard_placed += u64::from(h);
        }
        for &w in workers_of(u) {
            for a in arcs_of(w) {
                if card.cap[net.arc_position[a] as usize] > 0 {
                    cmax = cmax.max(net.arc_cost[a]);
                }
            }
        }
    }
    let mut flow = Flow {
        worker_arc: vec![NONE; net.workers()],
    };
    let place = |flow: &mut Flow, u: usize, a: u32| {
        let w = workers_of(u)
            .iter()
            .copied()
            .find(|&w| arcs_of(w).contains(&(a as usize)))
            .expect("the arc of a worker of the unit");
        flow.worker_arc[w as usize] = a;
    };
    if cmax == 0 {
        // Every placement with the counts costs nothing.
        for &u in &persons {
            let a = card.unit_arc[u as usize];
            if a != NONE {
                place(&mut flow, u as usize, a);
            }
        }
        return Some(flow);
    }
    let slots: u64 = card.cap.iter().map(|&c| u64::from(c)).sum();
    let fillers = slots - placed;
    let others = persons.len() as u64 - hard;
    let mut sizes = card.cap.clone();
    sizes.push(u32::try_from(hard - hard_placed).ok()?);
    sizes.push(u32::try_from(others - (placed - hard_placed)).ok()?);
    let scale = i64::try_from(persons.len() as u64 + fillers + 1).ok()?;
    let cmax_s = i64::from(cmax).checked_mul(scale).filter(|&c| c < LIMIT)?;

    let mut market = Market::new(&sizes, np);
    let mut cache = Cache::new(net);
    let mut unit_arc = vec![NONE; net.units()];
    let mut queue = std::collections::VecDeque::with_capacity(persons.len());
    let mut phases = 1;
    let mut e = cmax_s / ALPHA;
    while e > 1 {
        phases += 1;
        e /= ALPHA;
    }
    let mut eps = (cmax_s / ALPHA).max(1);
    for phase in 0.. {
        progress(
            order.len() / 4 + order.len() * 3 * phase / (4 * phases),
            order.len(),
        );
        if phase > 0 {
            cache.fell += market.rebuild();
        }
        queue.clear();
        queue.extend(persons.iter().copied());
        let mut idle_fillers = fillers;
        loop {
            let (o, best, second, who) = if let Some(u) = queue.pop_front() {
                let u = u as usize;
                // The next bidder's cache, asked for now so that it is on its way from memory
                // while this bid is made (about a tenth of the auction's time on the scarce
                // province).
                if let Some(&next) = queue.front() {
                    std::hint::black_box(cache.entries[next as usize * CACHED].1);
                }
                let (mut best, mut best_o, mut best_arc, mut second) =
                    cache.best(net, scale, &market.first, market.tree[1].0, u);
                let out = if net.unit_hardship[u] {
                    unplaced_hard
                } else {
                    unplaced_other
                };
                let c = market.first[out];
                if c < best {
                    second = best;
                    best = c;
                    best_o = out;
                    best_arc = BYPASS;
                } else if c < second {
                    second = c;
                }
                debug_assert!(best < NO_PLACE, "a unit with nowhere to go");
                let d = best - market.first[best_o];
                second = second.min(d.saturating_add(market.second(best_o)));
                unit_arc[u] = best_arc;
                (best_o, best, second, u as u32)
            } else if idle_fillers > 0 {
                idle_fillers -= 1;
                let (best, held, p) = market.tree[1];
                let p = p as usize;
                if !held {
                    // A free place at the lowest price: taken as it is.
                    market.take(p, best, FILLER);
                    continue;
                }
                let second = market.second(p).min(market.first_except(p));
                (p, best, second, FILLER)
            } else {
                break;
            };
            // With no second choice any raise keeps the bidder content; the largest cost does.
            let second = if second >= NO_PLACE {
                best + cmax_s
            } else {
                second
            };
            let price = market.first[o] + (second - best) + eps;
            if price >= LIMIT {
                return None;
            }
            match market.take(o, price, who) {
                NONE => {}
                FILLER => idle_fillers += 1,
                u => queue.push_back(u),
            }
        }
        if eps == 1 {
            break;
        }
        eps = (eps / ALPHA).max(1);
    }
    for &u in &persons {
        let a = unit_arc[u as usize];
        if a != BYPASS {
            place(&mut flow, u as usize, a);
        }
    }
    debug_assert_eq!(
        {
            let (h, p, _) = flow.objective(net);
            (h, p)
        },
        (hard_placed, placed),
        "the auction keeps the counts"
    );
    Some(flow)
}

/// The reference solver: routes every unit in `order` (each unit once) by successive shortest
/// paths and returns the optimal flow. Slow when places are scarce; [`solve`] falls back on it
/// only when the auction's integers could overflow, and the tests check [`solve`] against it.
pub fn solve_ssp(net: &Network, order: &[u32], progress: Progress<'_>) -> Flow {
    let (nu, nw, np) = (net.units(), net.workers(), net.positions());
    let worker0 = nu;
    let pos0 = nu + nw;
    let sink = nu + nw + np;
    let n = sink + 1;

    let by_cost = arcs_by_cost(net);
    // Every potential starts at 0; those of positions only fall.
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
                // Positions with a free place first: they bound the others. A position's
                // potential never rises above its first, 0, so an arc's reduced cost is at
                // least its cost plus the worker's potential: with arcs in order of cost, none
                // after one that cannot beat the sink's path can.
                for free in [true, false] {
                    for a in net.arc_start[w]..net.arc_start[w + 1] {
                        if by_cost
                            && seen[sink] == stamp
                            && d + i128::from(net.arc_cost[a as usize]) + pot[v] >= dist[sink]
                        {
                            break;
                        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A random network: `units` units of 1–3 workers (or one each), `positions` positions of
    /// 0..`max_places` places, each worker with up to `degree` arcs of cost up to `max_cost`.
    fn network(
        seed: u64,
        units: usize,
        positions: usize,
        max_places: u32,
        degree: usize,
        max_cost: u32,
        by_cost: bool,
    ) -> (Network, Vec<u32>) {
        let mut s = seed | 1;
        let mut next = move |n: u64| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s % n.max(1)
        };
        let mut net = Network {
            unit_start: vec![0],
            places: (0..positions)
                .map(|_| next(u64::from(max_places) + 1) as u32)
                .collect(),
            arc_start: vec![0],
            ..Network::default()
        };
        for u in 0..units {
            net.unit_hardship.push(next(100) < 40);
            for _ in 0..1 + next(3) {
                let w = net.worker_unit.len() as u32;
                net.worker_unit.push(u as u32);
                net.unit_workers.push(w);
                let mut row: Vec<(u32, u32)> = (0..next(degree as u64 + 1))
                    .map(|_| {
                        (
                            next(positions as u64) as u32,
                            next(u64::from(max_cost) + 1) as u32,
                        )
                    })
                    .collect();
                row.sort_unstable();
                row.dedup_by_key(|r| r.0);
                if by_cost {
                    // As the graph is built: by cost, then position.
                    row.sort_unstable_by_key(|&(p, c)| (c, p));
                }
                for (p, c) in row {
                    net.arc_position.push(p);
                    net.arc_cost.push(c);
                }
                net.arc_start.push(net.arc_position.len() as u32);
            }
            net.unit_start.push(net.unit_workers.len() as u32);
        }
        let mut order: Vec<u32> = (0..units as u32).collect();
        order.sort_by_key(|&u| (!net.unit_hardship[u as usize], u));
        (net, order)
    }

    /// The counts and the auction, whatever `solve` would choose.
    fn by_auction(net: &Network, order: &[u32]) -> Flow {
        let card = counts(net, order, &mut |_| {});
        auction(net, order, &card, &mut |_, _| {}).expect("no overflow")
    }

    fn check_feasible(net: &Network, flow: &Flow) {
        let mut load = vec![0u32; net.positions()];
        let mut unit_used = vec![false; net.units()];
        for (w, &a) in flow.worker_arc.iter().enumerate() {
            if a != NONE {
                assert!((net.arc_start[w]..net.arc_start[w + 1]).contains(&a));
                load[net.arc_position[a as usize] as usize] += 1;
                let u = net.worker_unit[w] as usize;
                assert!(!unit_used[u], "two workers of one unit");
                unit_used[u] = true;
            }
        }
        for (l, c) in load.iter().zip(&net.places) {
            assert!(l <= c, "over capacity");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn the_auction_matches_successive_shortest_paths(
            seed in any::<u64>(),
            units in 1usize..400,
            positions in 1usize..80,
            max_places in 0u32..5,
            degree in 0usize..12,
            max_cost in prop::sample::select(vec![0u32, 1, 3, 100, 30_000, 1_000_000]),
            by_cost in any::<bool>(),
        ) {
            let (net, order) =
                network(seed, units, positions, max_places, degree, max_cost, by_cost);
            let reference = solve_ssp(&net, &order, &mut |_, _| {});
            let flow = by_auction(&net, &order);
            check_feasible(&net, &flow);
            prop_assert_eq!(flow.objective(&net), reference.objective(&net));
            // The same input gives the same pairs.
            prop_assert_eq!(by_auction(&net, &order), flow);
            let flow = solve(&net, &order, &mut |_, _| {});
            check_feasible(&net, &flow);
            prop_assert_eq!(flow.objective(&net), reference.objective(&net));
            prop_assert_eq!(solve(&net, &order, &mut |_, _| {}), flow);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// With each worker's arcs in order of cost the searches stop early (successive shortest
        /// paths at the first arc that cannot beat the sink, the auction's scans at the first
        /// that cannot enter the cache); in order of position they read every arc. Both orders
        /// of one network reach the same optimum.
        #[test]
        fn stopping_early_on_arcs_by_cost_keeps_the_optimum(
            seed in any::<u64>(),
            units in 1usize..400,
            positions in 1usize..80,
            max_places in 0u32..5,
            degree in 0usize..30,
            max_cost in prop::sample::select(vec![1u32, 3, 100, 30_000, 1_000_000]),
        ) {
            let (by_position, order) =
                network(seed, units, positions, max_places, degree, max_cost, false);
            let (by_cost, _) = network(seed, units, positions, max_places, degree, max_cost, true);
            prop_assert!(arcs_by_cost(&by_cost));
            let reference = solve_ssp(&by_position, &order, &mut |_, _| {});
            let flow = solve_ssp(&by_cost, &order, &mut |_, _| {});
            check_feasible(&by_cost, &flow);
            prop_assert_eq!(flow.objective(&by_cost), reference.objective(&by_position));
            let flow = by_auction(&by_cost, &order);
            check_feasible(&by_cost, &flow);
            prop_assert_eq!(flow.objective(&by_cost), reference.objective(&by_position));
            let flow = solve(&by_cost, &order, &mut |_, _| {});
            check_feasible(&by_cost, &flow);
            prop_assert_eq!(flow.objective(&by_cost), reference.objective(&by_position));
        }
    }

    #[test]
    fn scarce_places_on_a_larger_network() {
        for (seed, by_cost) in (1..6).zip([false, true, false, true, true]) {
            let (net, order) = network(seed, 3000, 300, 3, 25, 30_000, by_cost);
            let flow = by_auction(&net, &order);
            check_feasible(&net, &flow);
            let reference = solve_ssp(&net, &order, &mut |_, _| {});
            assert_eq!(flow.objective(&net), reference.objective(&net));
        }
    }
}
