//! Matching poor workers to open positions (methodology §7): who is a worker, which pairs are
//! allowed, and the optimal assignment with the reason each unplaced worker stays unplaced.
//!
//! A pair is allowed when the worker and the position are within `max_m` metres on the great
//! circle — or, when either has no coordinates, in the same subdistrict — and the worker has one
//! of the skills the position wants (or it wants none). The graph of allowed pairs is built with
//! a grid of cells `max_m` wide, so a worker only looks at positions in its own and the eight
//! neighbouring cells (on every core, by windows of workers), each worker's arcs in order of
//! cost so that the solver's searches can stop early, then solved exactly by
//! [`super::solver`].

use std::collections::HashMap;

use rayon::prelude::*;

use chrono::NaiveDate;

use super::solver::{self, Network, NONE};
use crate::area::{AreaCode, AreaLevel};
use crate::household::{Member, Occupation, Skill, Skills};
use crate::methodology::Group;
use crate::HouseholdId;

/// The mean radius of the Earth in metres (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The default reach: 30 km.
pub const DEFAULT_MAX_M: u32 = 30_000;

/// The most metres a reach may be (a province is smaller).
pub const MAX_REACH_M: u32 = 1_000_000;

/// A point on the unit sphere, from latitude and longitude in degrees.
fn unit_vector(l: (f64, f64)) -> [f64; 3] {
    let (la, lo) = (l.0.to_radians(), l.1.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// The squared chord between two points of the unit sphere.
fn chord2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let (x, y, z) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    x * x + y * y + z * z
}

/// The great-circle distance in metres of a squared chord, rounded to the nearest metre (half
/// away from zero, as `f64::round`, without its call: the fraction of a non-negative double is
/// exact).
fn chord_to_m(c2: f64) -> u32 {
    let m = 2.0 * EARTH_RADIUS_M * (c2.sqrt() / 2.0).min(1.0).asin();
    let whole = m as u32;
    whole + u32::from(m - f64::from(whole) >= 0.5)
}

/// The great-circle distance in whole metres: 2R·asin(c/2) for the chord c between the two
/// points on the unit sphere (the haversine formula's value, computed without its half-angle
/// sines so that the graph's inner loop is a few multiplications), rounded to the nearest metre.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> u32 {
    chord_to_m(chord2(&unit_vector(a), &unit_vector(b)))
}

/// Whether a member is a worker the matching looks for (§7, with §1's capable worker): aged
/// 15–59 at the survey date, able to work, not dependent, wanting work, with no occupation or
/// a daily wage, in a hardship or struggling household.
pub fn is_job_seeker(member: &Member, survey_date: NaiveDate, group: Group) -> bool {
    matches!(group, Group::Hardship | Group::Struggling)
        && member
            .age_at(survey_date)
            .is_some_and(|a| (15..=59).contains(&a))
        && member.can_work
        && !member.dependent
        && member.wants_work
        && matches!(member.occupation, Occupation::None | Occupation::DailyWage)
}

/// A worker to place: a member of a poor household.
#[derive(Debug, Clone, PartialEq)]
pub struct Worker {
    /// The household.
    pub household_id: HouseholdId,
    /// The member's number in the household.
    pub member_no: u16,
    /// The household's village.
    pub village: AreaCode,
    /// The household's coordinates, when known.
    pub location: Option<(f64, f64)>,
    /// The member's skills.
    pub skills: Skills,
    /// Whether the household is in hardship (else struggling).
    pub hardship: bool,
}

/// An open position as the matching sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    /// The position's id.
    pub position_id: i64,
    /// The enterprise offering it.
    pub enterprise_id: i64,
    /// The enterprise's village.
    pub village: AreaCode,
    /// The enterprise's coordinates, when known.
    pub location: Option<(f64, f64)>,
    /// The skills wanted (empty: any).
    pub skills_wanted: Skills,
    /// How many workers it takes.
    pub places: u32,
}

/// The rules of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchRules {
    /// The reach in metres.
    pub max_m: u32,
    /// At most one worker per household (the default).
    pub one_per_household: bool,
}

impl Default for MatchRules {
    fn default() -> Self {
        MatchRules {
            max_m: DEFAULT_MAX_M,
            one_per_household: true,
        }
    }
}

crate::labelled_enum!(
    /// Why a worker was not placed.
    pub enum Unplaced {
        /// No position within reach at all.
        NoPositionInReach =
            "no_position_in_reach" / "ไม่มีตำแหน่งงานในระยะ" / "No position within reach",
        /// Positions within reach, none wanting the worker's skills.
        NoSkillMatch = "no_skill_match" / "ทักษะไม่ตรงกับตำแหน่งงาน" / "No skill match",
        /// Positions that fit, all taken by workers placed first.
        PositionsFull = "positions_full" / "ตำแหน่งงานเต็ม" / "Positions full",
        /// Another member of the household was placed (one worker per household).
        HouseholdPlaced = "household_placed" / "สมาชิกอื่นในครัวเรือนได้งานแล้ว" / "Another member placed",
    }
);

/// The graph of allowed pairs, ready to solve, with what the reasons need.
#[derive(Debug, Clone)]
pub struct MatchGraph {
    /// The network the solver reads.
    pub network: Network,
    /// Whether each arc's distance was measured (else the pair is in one subdistrict and the
    /// arc costs the whole reach, so that a measured pair is preferred).
    pub measured: Vec<bool>,
    /// Whether each worker had any position within reach, skills aside.
    pub in_reach: Vec<bool>,
    /// The order units are routed in: hardship first, then by index.
    pub order: Vec<u32>,
}

fn skills_fit(worker: Skills, wanted: Skills) -> bool {
    wanted.is_empty() || worker.iter().any(|s| wanted.contains(s))
}

/// The skills a pair matches on (empty when the position wants none).
pub fn matched_skills(worker: Skills, wanted: Skills) -> Skills {
    let mut out = Skills::NONE;
    for s in worker.iter().filter(|s| wanted.contains(*s)) {
        out.insert(s);
    }
    out
}

fn subdistrict(code: AreaCode) -> AreaCode {
    code.ancestor(AreaLevel::Subdistrict).unwrap_or(code)
}

/// Builds the allowed-pair graph. Workers are units of their household (in input order of
/// first appearance) when `rules.one_per_household`, else each its own unit.
pub fn build_graph(workers: &[Worker], openings: &[Opening], rules: MatchRules) -> MatchGraph {
    let max_m = rules.max_m.min(MAX_REACH_M);
    let grid = Grid::new(openings, max_m, workers);

    // Units.
    let mut unit_of_household: HashMap<&HouseholdId, u32> = HashMap::new();
    let mut unit_members: Vec<Vec<u32>> = Vec::new();
    let mut unit_hardship = Vec::new();
    let mut worker_unit = Vec::with_capacity(workers.len());
    for (i, w) in workers.iter().enumerate() {
        let unit = if rules.one_per_household {
            *unit_of_household.entry(&w.household_id).or_insert_with(|| {
                unit_members.push(Vec::new());
                unit_hardship.push(false);
                unit_members.len() as u32 - 1
            })
        } else {
            unit_members.push(Vec::new());
            unit_hardship.push(false);
            unit_members.len() as u32 - 1
        };
        unit_members[unit as usize].push(i as u32);
        unit_hardship[unit as usize] |= w.hardship;
        worker_unit.push(unit);
    }
    let mut network = Network {
        unit_start: Vec::with_capacity(unit_members.len() + 1),
        unit_workers: Vec::with_capacity(workers.len()),
        unit_hardship,
        worker_unit,
        arc_start: Vec::with_capacity(workers.len() + 1),
        arc_position: Vec::new(),
        arc_cost: Vec::new(),
        places: openings.iter().map(|o| o.places).collect(),
    };
    network.unit_start.push(0);
    for m in &unit_members {
        network.unit_workers.extend_from_slice(m);
        network.unit_start.push(network.unit_workers.len() as u32);
    }

    // The arcs, worker by worker, in chunks on every core, each row in order of cost (then
    // position), which lets the solver's searches stop early. The workers go by windows, each
    // window's rows appended as soon as built, so the rows are never held twice over.
    let open: Vec<bool> = openings.iter().map(|o| o.places > 0).collect();
    let mut measured = Vec::new();
    network.arc_start.push(0);
    // Each chunk's rows in a buffer kept from window to window: fresh ones would be fresh
    // pages, zeroed by the kernel every time (half the system time of building).
    let mut buffers: Vec<Rows> = (0..WINDOW / CHUNK).map(|_| Rows::default()).collect();
    for window in workers.chunks(WINDOW) {
        let chunks = &mut buffers[..window.len().div_ceil(CHUNK)];
        window
            .par_chunks(CHUNK)
            .zip(chunks.par_iter_mut())
            .for_each(|(chunk, rows)| {
                rows.len.clear();
                rows.position.clear();
                rows.cost.clear();
                rows.measured.clear();
                let (mut row, mut near, mut spare) = (Vec::new(), Vec::new(), Vec::new());
                for w in chunk {
                    row.clear();
                    grid.allowed(w, openings, &open, &mut row, &mut near);
                    sort_row(&mut row, &mut spare);
                    row.dedup();
                    rows.len.push(row.len() as u32);
                    for &k in &row {
                        let (position, cost, is_measured) = unpack(k);
                        rows.position.push(position);
                        rows.cost.push(cost);
                        rows.measured.push(is_measured);
                    }
                }
            });
        if network.arc_position.is_empty() {
            // Room for all the rows, guessed from the first window's (only what is written
            // is resident; the rest is given back below).
            let per_worker =
                chunks.iter().map(|c| c.position.len()).sum::<usize>() / window.len().max(1);
            let guess = per_worker * workers.len() / 8 * 9;
            network.arc_position.reserve(guess);
            network.arc_cost.reserve(guess);
            measured.reserve(guess);
        }
        for c in chunks.iter() {
            network.arc_position.extend_from_slice(&c.position);
            network.arc_cost.extend_from_slice(&c.cost);
            measured.extend_from_slice(&c.measured);
            for &len in &c.len {
                let last = *network.arc_start.last().expect("starts at 0");
                network.arc_start.push(last + len);
            }
        }
    }
    network.arc_position.shrink_to_fit();
    network.arc_cost.shrink_to_fit();
    measured.shrink_to_fit();
    // Whether a worker without an arc had a position within reach at all (for its reason).
    let in_reach = workers
        .iter()
        .enumerate()
        .map(|(i, w)| {
            network.arc_start[i] != network.arc_start[i + 1] || grid.any_in_reach(w, openings)
        })
        .collect();
    let mut order: Vec<u32> = (0..network.units() as u32).collect();
    order.sort_by_key(|&u| (!network.unit_hardship[u as usize], u));
    MatchGraph {
        network,
        measured,
        in_reach,
        order,
    }
}

/// Workers taken at once by the graph builder, in chunks of [`CHUNK`] on every core.
const WINDOW: usize = 16 * 1024;
const CHUNK: usize = 1024;

#[derive(Default)]
struct Rows {
    len: Vec<u32>,
    position: Vec<u32>,
    cost: Vec<u32>,
    measured: Vec<bool>,
}

/// An allowed pair as one integer ordered by cost, then measured before not, then position.
fn pack(position: u32, cost: u32, measured: bool) -> u64 {
    u64::from(cost) << 33 | u64::from(!measured) << 32 | u64::from(position)
}

/// Sorts a row of [`pack`]ed pairs as `sort_unstable` would, faster: three passes of a counting
/// sort on 7 bits each of the cost and measured bit (a cost is below 2²⁰ metres), then each run
/// of one cost by position. `spare` is room to work in.
fn sort_row(row: &mut Vec<u64>, spare: &mut Vec<u64>) {
    const BITS: u32 = 7;
    const SIZE: usize = 1 << BITS;
    if row.len() < 64 {
        row.sort_unstable();
        return;
    }
    debug_assert!(row.iter().all(|&k| k >> (32 + 3 * BITS) == 0));
    spare.clear();
    spare.resize(row.len(), 0);
    for pass in 0..3 {
        let shift = 32 + BITS * pass;
        let digit = |k: u64| (k >> shift) as usize & (SIZE - 1);
        let mut at = [0usize; SIZE + 1];
        for &k in row.iter() {
            at[digit(k) + 1] += 1;
        }
        for d in 0..SIZE {
            at[d + 1] += at[d];
        }
        for &k in row.iter() {
            let d = digit(k);
            spare[at[d]] = k;
            at[d] += 1;
        }
        std::mem::swap(row, spare);
    }
    let mut i = 0;
    while i < row.len() {
        let cost = row[i] >> 32;
        let mut j = i + 1;
        while j < row.len() && row[j] >> 32 == cost {
            j += 1;
        }
        if j - i > 1 {
            row[i..j].sort_unstable();
        }
        i = j;
    }
}

fn unpack(k: u64) -> (u32, u32, bool) {
    (k as u32, (k >> 33) as u32, k >> 32 & 1 == 0)
}

/// How many buckets a cell has: positions that want no skill, then one per skill.
const BUCKETS: usize = 1 + Skill::ALL.len();

/// The positions by place: located ones in cells at least `max_m` wide and, inside a cell, by
/// the skill they want (a position wanting several is in each of their buckets), so that a
/// worker looks only at the buckets of its skills in nine cells; the positions without
/// coordinates by subdistrict; every position by subdistrict for workers without coordinates.
struct Grid {
    cell_lat: f64,
    cell_lon: f64,
    /// The cell's index in `start`.
    cells: HashMap<(i32, i32), usize>,
    /// For cell `c` and bucket `b`, `entries[start[c * BUCKETS + b]..start[c * BUCKETS + b + 1]]`.
    start: Vec<u32>,
    /// (position, its unit vector), grouped by cell and bucket.
    entries: Vec<(u32, [f64; 3])>,
    unlocated_by_sub: HashMap<AreaCode, Vec<u32>>,
    by_sub: HashMap<AreaCode, Vec<u32>>,
    /// The largest squared chord within reach, a little over, so rounding never drops a pair.
    max_chord2: f64,
    max_m: u32,
}

impl Grid {
    fn new(openings: &[Opening], max_m: u32, workers: &[Worker]) -> Grid {
        // Cells of `max_m` in latitude and at least `max_m` in longitude at the highest
        // latitude present, so every position in reach is in one of the nine cells.
        let max_lat = openings
            .iter()
            .filter_map(|o| o.location.map(|l| l.0.abs()))
            .chain(workers.iter().filter_map(|w| w.location.map(|l| l.0.abs())))
            .fold(0.0f64, f64::max)
            .min(80.0);
        let cell_lat = (f64::from(max_m.max(1)) / EARTH_RADIUS_M).to_degrees() * 1.001;
        let cell_lon = cell_lat / max_lat.to_radians().cos();
        let mut keyed: Vec<((i32, i32), usize, u32)> = Vec::new();
        let mut unlocated_by_sub: HashMap<AreaCode, Vec<u32>> = HashMap::new();
        let mut by_sub: HashMap<AreaCode, Vec<u32>> = HashMap::new();
        for (i, o) in openings.iter().enumerate() {
            let i = i as u32;
            by_sub.entry(subdistrict(o.village)).or_default().push(i);
            match o.location {
                Some(l) => {
                    let c = cell(l, cell_lat, cell_lon);
                    if o.skills_wanted.is_empty() {
                        keyed.push((c, 0, i));
                    }
                    for s in o.skills_wanted.iter() {
                        keyed.push((c, 1 + s as usize, i));
                    }
                }
                None => unlocated_by_sub
                    .entry(subdistrict(o.village))
                    .or_default()
                    .push(i),
            }
        }
        keyed.sort_unstable();
        // Sorted by cell, the cells are contiguous and numbered in that order.
        let mut cells = HashMap::new();
        let mut counts: Vec<u32> = Vec::new();
        for (c, b, _) in &keyed {
            let n = cells.len();
            let ci = *cells.entry(*c).or_insert(n);
            if ci == n {
                counts.resize((n + 1) * BUCKETS, 0);
            }
            counts[ci * BUCKETS + b] += 1;
        }
        let mut start = Vec::with_capacity(counts.len() + 1);
        start.push(0u32);
        for n in counts {
            start.push(start.last().expect("starts at 0") + n);
        }
        let entries = keyed
            .iter()
            .map(|(_, _, i)| {
                (
                    *i,
                    unit_vector(openings[*i as usize].location.expect("located")),
                )
            })
            .collect();
        let reach = f64::from(max_m) + 1.0;
        let max_chord2 = (2.0 * (reach / (2.0 * EARTH_RADIUS_M)).min(1.0).sin()).powi(2);
        Grid {
            cell_lat,
            cell_lon,
            cells,
            start,
            entries,
            unlocated_by_sub,
            by_sub,
            max_chord2,
            max_m,
        }
    }

    fn bucket(&self, c: (i32, i32), b: usize) -> &[(u32, [f64; 3])] {
        match self.cells.get(&c) {
            Some(&ci) => {
                let r = self.start[ci * BUCKETS + b] as usize
                    ..self.start[ci * BUCKETS + b + 1] as usize;
                &self.entries[r]
            }
            None => &[],
        }
    }

    /// Pushes the worker's allowed pairs, [`pack`]ed; `open`: whether each position has a
    /// place; `near` is room to work in.
    fn allowed(
        &self,
        w: &Worker,
        openings: &[Opening],
        open: &[bool],
        row: &mut Vec<u64>,
        near: &mut Vec<(u32, f64)>,
    ) {
        let sub = subdistrict(w.village);
        let fits = |i: u32| {
            let o = &openings[i as usize];
            open[i as usize] && skills_fit(w.skills, o.skills_wanted)
        };
        match w.location {
            Some(l) => {
                let v = unit_vector(l);
                let (cy, cx) = cell(l, self.cell_lat, self.cell_lon);
                let buckets = std::iter::once(0).chain(w.skills.iter().map(|s| 1 + s as usize));
                // The squared chords first, kept without a branch (half the positions of the
                // nine cells are out of reach, which a branch mispredicts), then the metres.
                near.clear();
                for b in buckets {
                    for dy in -1..=1 {
                        for dx in -1..=1 {
                            let bucket = self.bucket((cy + dy, cx + dx), b);
                            let mut n = near.len();
                            near.resize(n + bucket.len(), (0, 0.0));
                            for (i, pv) in bucket {
                                let c2 = chord2(&v, pv);
                                near[n] = (*i, c2);
                                n += usize::from(c2 <= self.max_chord2);
                            }
                            near.truncate(n);
                        }
                    }
                }
                for &(i, c2) in near.iter() {
                    if open[i as usize] {
                        let d = chord_to_m(c2);
                        if d <= self.max_m {
                            row.push(pack(i, d, true));
                        }
                    }
                }
                for &i in self.unlocated_by_sub.get(&sub).into_iter().flatten() {
                    if fits(i) {
                        row.push(pack(i, self.max_m, false));
                    }
                }
            }
            None => {
                for &i in self.by_sub.get(&sub).into_iter().flatten() {
                    if fits(i) {
                        row.push(pack(i, self.max_m, false));
                    }
                }
            }
        }
    }

    /// Whether any position is within the worker's reach, skills aside.
    fn any_in_reach(&self, w: &Worker, openings: &[Opening]) -> bool {
        let sub = subdistrict(w.village);
        let _ = openings;
        match w.location {
            Some(l) => {
                let v = unit_vector(l);
                let (cy, cx) = cell(l, self.cell_lat, self.cell_lon);
                let near = (0..BUCKETS).any(|b| {
                    (-1..=1).any(|dy| {
                        (-1..=1).any(|dx| {
                            self.bucket((cy + dy, cx + dx), b)
                                .iter()
                                .any(|(_, pv)| chord_to_m(chord2(&v, pv)) <= self.max_m)
                        })
                    })
                });
                near || self.unlocated_by_sub.contains_key(&sub)
            }
            None => self.by_sub.contains_key(&sub),
        }
    }
}

fn cell(l: (f64, f64), cell_lat: f64, cell_lon: f64) -> (i32, i32) {
    (
        (l.0 / cell_lat).floor() as i32,
        (l.1 / cell_lon).floor() as i32,
    )
}

/// A worker placed in a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The worker's index in the input.
    pub worker: usize,
    /// The position's index in the input.
    pub opening: usize,
    /// The distance in metres, when both have coordinates.
    pub distance_m: Option<u32>,
    /// The skills the pair matches on.
    pub matched: Skills,
}

/// The assignment and why the others stay unplaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The pairs, in worker order.
    pub pairs: Vec<Pair>,
    /// The unplaced workers (index in the input) with their reason, in worker order.
    pub unplaced: Vec<(usize, Unplaced)>,
    /// The number of allowed pairs.
    pub allowed_pairs: usize,
}

/// Counts of a run in one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AreaTotals {
    /// Workers looked for a position.
    pub workers: u32,
    /// Of them, in hardship households.
    pub hardship_workers: u32,
    /// Workers placed.
    pub placed: u32,
    /// Of them, in hardship households.
    pub hardship_placed: u32,
}

impl Assignment {
    /// Totals by the workers' area at `level` (their village's ancestor), in code order.
    pub fn totals_by(&self, workers: &[Worker], level: AreaLevel) -> Vec<(AreaCode, AreaTotals)> {
        let mut map: std::collections::BTreeMap<AreaCode, AreaTotals> = Default::default();
        let area = |w: &Worker| w.village.ancestor(level).unwrap_or(w.village);
        for w in workers {
            let t = map.entry(area(w)).or_default();
            t.workers += 1;
            t.hardship_workers += u32::from(w.hardship);
        }
        for p in &self.pairs {
            let w = &workers[p.worker];
            let t = map.entry(area(w)).or_default();
            t.placed += 1;
            t.hardship_placed += u32::from(w.hardship);
        }
        map.into_iter().collect()
    }
}

/// Solves a built graph and explains it.
pub fn assign(
    graph: &MatchGraph,
    workers: &[Worker],
    openings: &[Opening],
    progress: solver::Progress<'_>,
) -> Assignment {
    let net = &graph.network;
    let flow = solver::solve(net, &graph.order, progress);
    let mut unit_placed = vec![false; net.units()];
    for (w, &a) in flow.worker_arc.iter().enumerate() {
        if a != NONE {
            unit_placed[net.worker_unit[w] as usize] = true;
        }
    }
    let mut pairs = Vec::new();
    let mut unplaced = Vec::new();
    for (w, &a) in flow.worker_arc.iter().enumerate() {
        if a != NONE {
            let o = net.arc_position[a as usize] as usize;
            pairs.push(Pair {
                worker: w,
                opening: o,
                distance_m: graph.measured[a as usize].then(|| net.arc_cost[a as usize]),
                matched: matched_skills(workers[w].skills, openings[o].skills_wanted),
            });
        } else {
            let reason = if net.arc_start[w] == net.arc_start[w + 1] {
                if graph.in_reach[w] {
                    Unplaced::NoSkillMatch
                } else {
                    Unplaced::NoPositionInReach
                }
            } else if unit_placed[net.worker_unit[w] as usize] {
                Unplaced::HouseholdPlaced
            } else {
                Unplaced::PositionsFull
            };
            unplaced.push((w, reason));
        }
    }
    Assignment {
        pairs,
        unplaced,
        allowed_pairs: net.arcs(),
    }
}

/// Builds the graph and solves it: the whole of §7's matching.
pub fn match_workers(workers: &[Worker], openings: &[Opening], rules: MatchRules) -> Assignment {
    let graph = build_graph(workers, openings, rules);
    assign(&graph, workers, openings, &mut |_, _| {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::Skill;
    use proptest::prelude::*;

    fn hh(i: usize) -> HouseholdId {
        HouseholdId::parse(&format!("H{i}")).unwrap()
    }

    fn village(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    fn worker(h: usize, m: u16, loc: Option<(f64, f64)>, skills: Skills, hardship: bool) -> Worker {
        Worker {
            household_id: hh(h),
            member_no: m,
            village: village("52010101"),
            location: loc,
            skills,
            hardship,
        }
    }

    fn opening(id: i64, loc: Option<(f64, f64)>, wanted: Skills, places: u32) -> Opening {
        Opening {
            position_id: id,
            enterprise_id: id,
            village: village("52010102"),
            location: loc,
            skills_wanted: wanted,
            places,
        }
    }

    fn skills(list: &[Skill]) -> Skills {
        let mut s = Skills::NONE;
        for k in list {
            s.insert(*k);
        }
        s
    }

    /// Every feasible assignment of a small graph, best by (hardship placed, placed, −distance).
    fn brute_force(net: &Network) -> (u64, u64, u64) {
        fn go(
            net: &Network,
            w: usize,
            load: &mut Vec<u32>,
            unit_used: &mut Vec<bool>,
            acc: (u64, u64, u64),
            best: &mut (u64, u64, u64),
        ) {
            if w == net.workers() {
                let better = (acc.0, acc.1, std::cmp::Reverse(acc.2))
                    > (best.0, best.1, std::cmp::Reverse(best.2));
                if better {
                    *best = acc;
                }
                return;
            }
            go(net, w + 1, load, unit_used, acc, best);
            let u = net.worker_unit[w] as usize;
            if unit_used[u] {
                return;
            }
            for a in net.arc_start[w] as usize..net.arc_start[w + 1] as usize {
                let p = net.arc_position[a] as usize;
                if load[p] < net.places[p] {
                    load[p] += 1;
                    unit_used[u] = true;
                    let h = u64::from(net.unit_hardship[u]);
                    let next = (acc.0 + h, acc.1 + 1, acc.2 + u64::from(net.arc_cost[a]));
                    go(net, w + 1, load, unit_used, next, best);
                    load[p] -= 1;
                    unit_used[u] = false;
                }
            }
        }
        let mut best = (0, 0, 0);
        go(
            net,
            0,
            &mut vec![0; net.positions()],
            &mut vec![false; net.units()],
            (0, 0, 0),
            &mut best,
        );
        best
    }

    fn check_feasible(
        graph: &MatchGraph,
        a: &Assignment,
        workers: &[Worker],
        openings: &[Opening],
    ) {
        let mut load = vec![0u32; openings.len()];
        let mut units = std::collections::HashSet::new();
        for p in &a.pairs {
            load[p.opening] += 1;
            assert!(
                units.insert(graph.network.worker_unit[p.worker]),
                "two in one unit"
            );
            let (w, o) = (&workers[p.worker], &openings[p.opening]);
            assert!(skills_fit(w.skills, o.skills_wanted));
            if let Some(d) = p.distance_m {
                assert_eq!(d, distance_m(w.location.unwrap(), o.location.unwrap()));
            }
        }
        for (l, o) in load.iter().zip(openings) {
            assert!(*l <= o.places);
        }
        assert_eq!(a.pairs.len() + a.unplaced.len(), workers.len());
    }

    fn objective(graph: &MatchGraph, a: &Assignment, workers: &[Worker]) -> (u64, u64, u64) {
        let net = &graph.network;
        let mut obj = (0, 0, 0);
        for p in &a.pairs {
            obj.0 += u64::from(workers[p.worker].hardship);
            obj.1 += 1;
            let arcs = net.arc_start[p.worker] as usize..net.arc_start[p.worker + 1] as usize;
            let arc = arcs
                .clone()
                .find(|&x| net.arc_position[x] as usize == p.opening)
                .unwrap();
            obj.2 += u64::from(net.arc_cost[arc]);
        }
        obj
    }

    prop_compose! {
        fn instance()(
            ws in prop::collection::vec(
                (0usize..5, 0u16..9, 0u16..4, any::<bool>(), prop::option::weighted(0.85, (0u8..8, 0u8..8))),
                2..10),
            os in prop::collection::vec(
                (0u16..9, 0u16..3, 0u32..3, prop::option::weighted(0.85, (0u8..8, 0u8..8))),
                1..5),
            one in prop::bool::weighted(0.7),
            reach in 2_000u32..12_000,
        ) -> (Vec<Worker>, Vec<Opening>, MatchRules) {
            let to_skills = |bits: u16, n: u16| {
                let mut s = Skills::NONE;
                for k in Skill::ALL.iter().skip(bits as usize % 9).take(n as usize) { s.insert(*k); }
                s
            };
            let loc = |l: Option<(u8, u8)>| l.map(|(a, b)| (18.0 + f64::from(a) * 0.01, 99.0 + f64::from(b) * 0.01));
            let mut workers: Vec<Worker> = ws.iter().enumerate().map(|(i, &(h, sk, n, hard, l))| {
                let _ = i;
                worker(h, i as u16 + 1, loc(l), to_skills(sk, n), hard)
            }).collect();
            // Hardship is the household's.
            for i in 0..workers.len() {
                let hard = workers.iter().find(|w| w.household_id == workers[i].household_id).unwrap().hardship;
                workers[i].hardship = hard;
            }
            let openings = os.iter().enumerate().map(|(i, &(sk, n, places, l))| {
                opening(i as i64 + 1, loc(l), to_skills(sk, n), places)
            }).collect();
            (workers, openings, MatchRules { max_m: reach, one_per_household: one })
        }
    }

    prop_compose! {
        /// Places scarce: many workers of few households, mostly hardship, for one or two
        /// places of a few positions, everyone within reach of most of them.
        fn scarce()(
            ws in prop::collection::vec(
                (0usize..4, 0u16..9, 1u16..3, prop::bool::weighted(0.6), prop::option::weighted(0.9, (0u8..4, 0u8..4))),
                3..9),
            os in prop::collection::vec(
                (0u16..9, 0u16..2, 0u32..3, prop::option::weighted(0.9, (0u8..4, 0u8..4))),
                1..4),
            one in prop::bool::weighted(0.8),
        ) -> (Vec<Worker>, Vec<Opening>, MatchRules) {
            let to_skills = |bits: u16, n: u16| {
                let mut s = Skills::NONE;
                for k in Skill::ALL.iter().skip(bits as usize % 9).take(n as usize) { s.insert(*k); }
                s
            };
            let loc = |l: Option<(u8, u8)>| l.map(|(a, b)| (18.0 + f64::from(a) * 0.013, 99.0 + f64::from(b) * 0.017));
            let mut workers: Vec<Worker> = ws.iter().enumerate().map(|(i, &(h, sk, n, hard, l))| {
                worker(h, i as u16 + 1, loc(l), to_skills(sk, n), hard)
            }).collect();
            for i in 0..workers.len() {
                let hard = workers.iter().find(|w| w.household_id == workers[i].household_id).unwrap().hardship;
                workers[i].hardship = hard;
            }
            let openings = os.iter().enumerate().map(|(i, &(sk, n, places, l))| {
                opening(i as i64 + 1, loc(l), to_skills(sk, n), places)
            }).collect();
            (workers, openings, MatchRules { max_m: 9_000, one_per_household: one })
        }
    }

    fn check_against_brute_force(
        workers: &[Worker],
        openings: &[Opening],
        rules: MatchRules,
    ) -> Result<(), TestCaseError> {
        let graph = build_graph(workers, openings, rules);
        let a = assign(&graph, workers, openings, &mut |_, _| {});
        check_feasible(&graph, &a, workers, openings);
        prop_assert_eq!(objective(&graph, &a, workers), brute_force(&graph.network));
        // The former solver (successive shortest paths) agrees.
        let ssp = solver::solve_ssp(&graph.network, &graph.order, &mut |_, _| {});
        prop_assert_eq!(
            ssp.objective(&graph.network),
            objective(&graph, &a, workers)
        );
        // The same input gives the same pairs.
        prop_assert_eq!(match_workers(workers, openings, rules), a);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_solver_is_optimal_against_brute_force((workers, openings, rules) in instance()) {
            check_against_brute_force(&workers, &openings, rules)?;
        }

        #[test]
        fn the_solver_is_optimal_when_places_are_scarce((workers, openings, rules) in scarce()) {
            check_against_brute_force(&workers, &openings, rules)?;
        }
    }

    #[test]
    fn hardship_workers_are_placed_first() {
        // One place; the struggling worker is next door, the hardship worker 10 km away.
        let here = (18.3, 99.5);
        let workers = vec![
            worker(1, 1, Some((18.3001, 99.5)), Skills::NONE, false),
            worker(2, 1, Some((18.39, 99.5)), Skills::NONE, true),
        ];
        let openings = vec![opening(1, Some(here), Skills::NONE, 1)];
        let a = match_workers(&workers, &openings, MatchRules::default());
        assert_eq!(a.pairs.len(), 1);
        assert_eq!(a.pairs[0].worker, 1);
        assert_eq!(a.unplaced, vec![(0, Unplaced::PositionsFull)]);
    }

    #[test]
    fn more_workers_placed_beats_shorter_distance() {
        // A is near both positions, B only near the far one: both must be placed.
        let workers = vec![
            worker(1, 1, Some((18.30, 99.50)), Skills::NONE, false),
            worker(2, 1, Some((18.50, 99.50)), Skills::NONE, false),
        ];
        let openings = vec![
            opening(1, Some((18.301, 99.50)), Skills::NONE, 1),
            opening(2, Some((18.40, 99.50)), Skills::NONE, 1),
        ];
        let a = match_workers(&workers, &openings, MatchRules::default());
        let got: Vec<(usize, usize)> = a.pairs.iter().map(|p| (p.worker, p.opening)).collect();
        assert_eq!(got, vec![(0, 0), (1, 1)]);
    }

    #[test]
    fn capacities_are_kept() {
        let workers: Vec<Worker> = (0..5)
            .map(|i| worker(i, 1, Some((18.3, 99.5)), Skills::NONE, i % 2 == 0))
            .collect();
        let openings = vec![
            opening(1, Some((18.3, 99.51)), Skills::NONE, 2),
            opening(2, Some((18.3, 99.52)), Skills::NONE, 1),
        ];
        let a = match_workers(&workers, &openings, MatchRules::default());
        assert_eq!(a.pairs.iter().filter(|p| p.opening == 0).count(), 2);
        assert_eq!(a.pairs.iter().filter(|p| p.opening == 1).count(), 1);
        // All three hardship workers (0, 2, 4) are among the placed.
        let placed: Vec<usize> = a.pairs.iter().map(|p| p.worker).collect();
        assert_eq!(placed, vec![0, 2, 4]);
    }

    #[test]
    fn one_worker_per_household_unless_asked_otherwise() {
        let workers = vec![
            worker(1, 1, Some((18.3, 99.5)), Skills::NONE, true),
            worker(1, 2, Some((18.3, 99.5)), Skills::NONE, true),
        ];
        let openings = vec![opening(1, Some((18.3, 99.5)), Skills::NONE, 5)];
        let a = match_workers(&workers, &openings, MatchRules::default());
        assert_eq!(a.pairs.len(), 1);
        assert_eq!(a.unplaced, vec![(1, Unplaced::HouseholdPlaced)]);
        let rules = MatchRules {
            one_per_household: false,
            ..MatchRules::default()
        };
        assert_eq!(match_workers(&workers, &openings, rules).pairs.len(), 2);
    }

    #[test]
    fn without_coordinates_the_subdistrict_decides() {
        let mut far = worker(1, 1, None, Skills::NONE, false);
        far.village = village("52020101");
        let near = worker(2, 1, None, Skills::NONE, false);
        // The position has coordinates, the workers have none: the subdistrict decides.
        let openings = vec![opening(1, Some((18.3, 99.5)), Skills::NONE, 5)];
        let a = match_workers(&[far, near], &openings, MatchRules::default());
        assert_eq!(a.pairs.len(), 1);
        assert_eq!(a.pairs[0].worker, 1);
        assert_eq!(a.pairs[0].distance_m, None);
        assert_eq!(a.unplaced, vec![(0, Unplaced::NoPositionInReach)]);
    }

    #[test]
    fn skills_decide_and_the_reasons_say_why() {
        let cook = skills(&[Skill::FoodProcessing]);
        let workers = vec![
            worker(1, 1, Some((18.3, 99.5)), skills(&[Skill::Driving]), false),
            worker(2, 1, Some((18.3, 99.5)), cook, false),
            worker(3, 1, Some((19.3, 99.5)), cook, false),
        ];
        let openings = vec![opening(1, Some((18.31, 99.5)), cook, 1)];
        let a = match_workers(&workers, &openings, MatchRules::default());
        assert_eq!(a.pairs.len(), 1);
        assert_eq!(a.pairs[0].worker, 1);
        assert_eq!(a.pairs[0].matched, cook);
        assert_eq!(a.pairs[0].distance_m, Some(1112));
        assert_eq!(
            a.unplaced,
            vec![
                (0, Unplaced::NoSkillMatch),
                (2, Unplaced::NoPositionInReach)
            ]
        );
    }

    proptest! {
        #[test]
        fn rows_sort_as_sort_unstable_would(
            pairs in prop::collection::vec((0u32..50, 0u32..MAX_REACH_M + 1, any::<bool>()), 0..400),
            short in any::<bool>(),
        ) {
            // Short reaches give many pairs of one cost.
            let mut row: Vec<u64> = pairs
                .iter()
                .map(|&(p, c, m)| pack(p, if short { c % 40 } else { c }, m))
                .collect();
            let mut expected = row.clone();
            expected.sort_unstable();
            sort_row(&mut row, &mut Vec::new());
            prop_assert_eq!(row, expected);
        }
    }

    #[test]
    fn distances_are_great_circle_metres() {
        // One degree of latitude is 111.2 km on the mean sphere.
        assert_eq!(distance_m((18.0, 99.0), (19.0, 99.0)), 111_195);
        assert_eq!(distance_m((18.0, 99.0), (18.0, 99.0)), 0);
    }
}
