//! Scoring a whole generated round in parallel gives what scoring household by household gives,
//! with members grouped or in any order. The size comes from `THANRAK_SCALE_HOUSEHOLDS` (default
//! 5,000, so that a debug `cargo test` stays quick); the time taken is printed, never asserted:
//!
//! ```text
//! THANRAK_SCALE_HOUSEHOLDS=235704 cargo test -p thanrak-core --release --test scale -- --nocapture
//! ```

use std::time::{Duration, Instant};

use thanrak_core::measure::{score_household, score_round, HouseholdScore};
use thanrak_core::methodology::Methodology;
use thanrak_core::{AreaRegistry, Member};
use thanrak_demo::{generate, DemoConfig};

/// CPU time used so far by all threads of this process (Linux; `None` elsewhere), which tells
/// the work done apart from the wait for a core on a shared machine.
fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// The best wall time of `runs` runs, with the CPU time of that run.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration, Option<Duration>) {
    let mut best = (Duration::MAX, None);
    let mut out = None;
    for _ in 0..runs {
        let cpu = cpu_time();
        let t = Instant::now();
        let r = f();
        let wall = t.elapsed();
        if wall < best.0 {
            best = (wall, cpu_time().zip(cpu).map(|(b, a)| b.saturating_sub(a)));
        }
        out = Some(r);
    }
    (out.expect("at least one run"), best.0, best.1)
}

#[test]
fn a_large_round_scores_in_parallel_as_one_by_one() {
    let households: usize = std::env::var("THANRAK_SCALE_HOUSEHOLDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let m = Methodology::thanrak_default();
    let config = DemoConfig {
        households,
        ..DemoConfig::default()
    };
    let [round, _] = generate(&config, AreaRegistry::official()).unwrap();
    let (hh, ms) = (&round.households, &round.members);

    let (scores, grouped, grouped_cpu) = best_of(5, || score_round(m, hh, ms));
    assert_eq!(scores.len(), hh.len());

    // The same members in another order: households interleaved, not in household order.
    let mut shuffled: Vec<Member> = Vec::with_capacity(ms.len());
    let (odd, even): (Vec<_>, Vec<_>) = ms.iter().enumerate().partition(|(i, _)| i % 2 == 1);
    shuffled.extend(even.into_iter().rev().map(|(_, m)| m.clone()));
    shuffled.extend(odd.into_iter().map(|(_, m)| m.clone()));
    let (again, shuffled_time, shuffled_cpu) = best_of(3, || score_round(m, hh, &shuffled));
    let differ = |a: &HouseholdScore, b: &HouseholdScore| {
        // Only the first head seen may change with member order.
        HouseholdScore {
            head_sex: None,
            ..a.clone()
        } != HouseholdScore {
            head_sex: None,
            ..b.clone()
        }
    };
    assert!(!scores.iter().zip(&again).any(|(a, b)| differ(a, b)));

    // A sample scored one by one.
    let mut start = 0;
    for (i, h) in hh.iter().enumerate() {
        let n = ms[start..]
            .iter()
            .take_while(|x| x.household_id == h.household_id)
            .count();
        if i % 97 == 0 {
            assert_eq!(score_household(m, h, &ms[start..start + n]), scores[i]);
        }
        start += n;
    }
    assert_eq!(start, ms.len());

    let cpu = |c: Option<Duration>| {
        c.map_or(String::new(), |c| {
            format!(" (CPU {:.3} s)", c.as_secs_f64())
        })
    };
    println!(
        "scored {} households / {} members on {} threads: {:.3} s{} with members grouped, {:.3} s{} shuffled",
        hh.len(),
        ms.len(),
        rayon::current_num_threads(),
        grouped.as_secs_f64(),
        cpu(grouped_cpu),
        shuffled_time.as_secs_f64(),
        cpu(shuffled_cpu),
    );
}
