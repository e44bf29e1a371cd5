//! The pure scoring of a programme-size round (235,704 households by default; set
//! `THANRAK_BENCH_HOUSEHOLDS`) on all cores with rayon, against one thread as the baseline.
//!
//! `cargo bench -p thanrak-core --bench score`

use std::time::Instant;

use thanrak_core::measure::score_round;
use thanrak_core::methodology::Methodology;
use thanrak_core::AreaRegistry;
use thanrak_demo::{generate, DemoConfig};

fn main() {
    let n = std::env::var("THANRAK_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(235_704);
    let [round, _] = generate(
        &DemoConfig {
            households: n,
            ..Default::default()
        },
        AreaRegistry::official(),
    )
    .expect("demo data");
    let m = Methodology::thanrak_default();
    let time = |pool: &rayon::ThreadPool| {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            let s = pool.install(|| score_round(m, &round.households, &round.members));
            best = best.min(t.elapsed().as_secs_f64());
            std::hint::black_box(s);
        }
        best
    };
    let all = rayon::ThreadPoolBuilder::new().build().unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (t_all, t_one) = (time(&all), time(&one));
    println!(
        "score {} households / {} members: {:.3} s on {} threads, {:.3} s on 1 thread ({:.2}x)",
        round.households.len(),
        round.members.len(),
        t_all,
        all.current_num_threads(),
        t_one,
        t_one / t_all
    );
}
