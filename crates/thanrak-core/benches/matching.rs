//! The matching of §7 at province size: `cargo bench -p thanrak-core --bench matching --
//! [WORKERS…]` builds instances over a Lampang-sized box (about 200 km × 125 km, ~900 villages)
//! with 20,000 positions of 1–9 places (5 on average), builds the allowed-pair graph and solves
//! it, and prints times, the graph's size, the objective and the peak memory. With
//! `MATCH_BENCH_DIR` set it writes each instance there (`workers-N.csv`, `positions-N.csv`) for
//! `bench/matching_ortools.py`, which solves the same graph with OR-Tools. `MATCH_MAX_PLACES`
//! (default 9) bounds a position's places, `MATCH_MAX_M` (default 30,000) the reach. Generation is a fixed
//! xorshift stream, so every run and both solvers see the same instances.

use std::io::Write;
use std::time::Instant;

use thanrak_core::economy::matching::{assign, build_graph, MatchRules, Opening, Worker};
use thanrak_core::household::{Skill, Skills};
use thanrak_core::{AreaCode, HouseholdId};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Skills by how common they are among poor workers and in local jobs (percent).
const SKILL_WEIGHTS: [(Skill, u64); 9] = [
    (Skill::Agriculture, 36),
    (Skill::Construction, 15),
    (Skill::FoodProcessing, 13),
    (Skill::Handicraft, 10),
    (Skill::Trade, 9),
    (Skill::Driving, 8),
    (Skill::TourismService, 4),
    (Skill::Digital, 3),
    (Skill::Other, 2),
];

fn skill(rng: &mut Rng) -> Skill {
    let mut x = rng.below(100);
    for (s, w) in SKILL_WEIGHTS {
        if x < w {
            return s;
        }
        x -= w;
    }
    Skill::Other
}

fn skills_bits(s: Skills) -> u32 {
    s.iter().map(|k| 1u32 << k as u32).sum()
}

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn instance(n_workers: usize, n_positions: usize, max_places: u64) -> (Vec<Worker>, Vec<Opening>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (lat0, lon0, dlat, dlon) = (17.25, 99.05, 1.85, 1.18);
    // Villages: 900, in 100 subdistricts of 9.
    let villages: Vec<(f64, f64, AreaCode)> = (0..900)
        .map(|i| {
            let code = AreaCode::parse(&format!(
                "52{:02}{:02}{:02}",
                1 + i / 90,
                1 + (i / 9) % 10,
                1 + i % 9
            ))
            .unwrap();
            (lat0 + rng.unit() * dlat, lon0 + rng.unit() * dlon, code)
        })
        .collect();
    let jitter = |rng: &mut Rng| (rng.unit() - 0.5) * 0.02;
    let mut workers = Vec::with_capacity(n_workers);
    let mut h = 0;
    while workers.len() < n_workers {
        h += 1;
        let v = &villages[rng.below(900) as usize];
        let loc = (v.0 + jitter(&mut rng), v.1 + jitter(&mut rng));
        let hardship = rng.below(100) < 40;
        let members = 1 + usize::from(rng.below(100) < 45) + usize::from(rng.below(100) < 10);
        for m in 0..members.min(n_workers - workers.len()) {
            let mut s = Skills::NONE;
            s.insert(skill(&mut rng));
            if rng.below(100) < 40 {
                s.insert(skill(&mut rng));
            }
            workers.push(Worker {
                household_id: HouseholdId::parse(&format!("H{h}")).unwrap(),
                member_no: m as u16 + 1,
                village: v.2,
                location: Some(loc),
                skills: s,
                hardship,
            });
        }
    }
    let openings = (0..n_positions)
        .map(|i| {
            // Enterprises sit in villages, a few positions each.
            let v = &villages[rng.below(900) as usize];
            let mut wanted = Skills::NONE;
            if rng.below(100) >= 8 {
                wanted.insert(skill(&mut rng));
            }
            Opening {
                position_id: i as i64 + 1,
                enterprise_id: i as i64 / 4 + 1,
                village: v.2,
                location: Some((v.0 + jitter(&mut rng), v.1 + jitter(&mut rng))),
                skills_wanted: wanted,
                places: 1 + rng.below(max_places) as u32,
            }
        })
        .collect();
    (workers, openings)
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if args.is_empty() {
        vec![10_000, 30_000, 100_000]
    } else {
        args
    };
    let max_m: u32 = std::env::var("MATCH_MAX_M")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30_000);
    let dir = std::env::var("MATCH_BENCH_DIR").ok();
    // Places of a position are 1 to MATCH_MAX_PLACES (default 9: 5 on average); fewer makes
    // the positions scarce, so that workers compete for them.
    let max_places: u64 = std::env::var("MATCH_MAX_PLACES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(9);
    println!("workers\tunits\tpositions\tplaces\tarcs\tbuild_s\tsolve_s\ttotal_s\thardship_placed\tplaced\tdistance_m\tpeak_mib");
    for n in sizes {
        let (workers, openings) = instance(n, 20_000, max_places);
        if let Some(dir) = &dir {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(format!("{dir}/workers-{n}.csv")).unwrap(),
            );
            for w in &workers {
                let l = w.location.unwrap();
                writeln!(
                    f,
                    "{},{:.7},{:.7},{},{}",
                    &w.household_id.as_str()[1..],
                    l.0,
                    l.1,
                    skills_bits(w.skills),
                    u8::from(w.hardship)
                )
                .unwrap();
            }
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(format!("{dir}/positions-{n}.csv")).unwrap(),
            );
            for o in &openings {
                let l = o.location.unwrap();
                writeln!(
                    f,
                    "{:.7},{:.7},{},{}",
                    l.0,
                    l.1,
                    skills_bits(o.skills_wanted),
                    o.places
                )
                .unwrap();
            }
        }
        // The instance as written (7 decimals), so that both solvers read the same numbers.
        let round7 = |x: f64| format!("{x:.7}").parse::<f64>().unwrap();
        let workers: Vec<Worker> = workers
            .into_iter()
            .map(|mut w| {
                w.location = w.location.map(|l| (round7(l.0), round7(l.1)));
                w
            })
            .collect();
        let openings: Vec<Opening> = openings
            .into_iter()
            .map(|mut o| {
                o.location = o.location.map(|l| (round7(l.0), round7(l.1)));
                o
            })
            .collect();
        let rules = MatchRules {
            max_m,
            one_per_household: true,
        };
        let t0 = Instant::now();
        let graph = build_graph(&workers, &openings, rules);
        let t1 = Instant::now();
        let a = assign(&graph, &workers, &openings, &mut |_, _| {});
        let t2 = Instant::now();
        let hard = a
            .pairs
            .iter()
            .filter(|p| workers[p.worker].hardship)
            .count();
        let dist: u64 = a
            .pairs
            .iter()
            .map(|p| u64::from(p.distance_m.unwrap_or(max_m)))
            .sum();
        println!(
            "{n}\t{}\t{}\t{}\t{}\t{:.2}\t{:.2}\t{:.2}\t{hard}\t{}\t{dist}\t{}",
            graph.network.units(),
            openings.len(),
            openings.iter().map(|o| u64::from(o.places)).sum::<u64>(),
            graph.network.arcs(),
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t2 - t0).as_secs_f64(),
            a.pairs.len(),
            peak_rss_mib(),
        );
    }
}
