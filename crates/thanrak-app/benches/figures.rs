//! Area figures after scoring: the stored lookup that the CLI and web use, against computing the
//! same figures from the stored scores (the baseline, and the path taken for a non-default k).
//!
//! `THANRAK_BENCH_DB=sqlite://bench/out/score.db THANRAK_BENCH_ROUND=2568-1 cargo bench -p thanrak-app --bench figures`
//! (bench/score.sh prepares the database and runs this).

use std::time::Instant;

use thanrak_app::scoring::{self, Breakdown, FigureQuery};
use thanrak_core::measure::Unit;
use thanrak_core::methodology::Ratio;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_store::Store;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let Ok(url) = std::env::var("THANRAK_BENCH_DB") else {
        eprintln!("set THANRAK_BENCH_DB to a scored database (see bench/score.sh)");
        return;
    };
    let round = std::env::var("THANRAK_BENCH_ROUND").unwrap_or_else(|_| "2568-1".into());
    let round = RoundLabel::parse(&round).expect("THANRAK_BENCH_ROUND is a round label");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let m = scoring::load_methodology(None).unwrap();
        let lampang = AreaCode::parse("52").ok();
        let cases: Vec<(&str, Breakdown, Option<AreaCode>)> = vec![
            ("whole round", Breakdown::All, None),
            ("by province", Breakdown::Area(AreaLevel::Province), None),
            ("by district", Breakdown::Area(AreaLevel::District), None),
            (
                "districts of 52",
                Breakdown::Area(AreaLevel::District),
                lampang,
            ),
            (
                "by subdistrict",
                Breakdown::Area(AreaLevel::Subdistrict),
                None,
            ),
            ("by village", Breakdown::Area(AreaLevel::Village), None),
            ("by group", Breakdown::Group, None),
            ("by head sex", Breakdown::HeadSex, None),
        ];
        println!(
            "{:<18} {:>12} {:>16} {:>8}",
            "figures", "stored (ms)", "recomputed (ms)", "ratio"
        );
        for (name, by, within) in cases {
            let q = |k: Option<Ratio>| FigureQuery {
                round: round.clone(),
                unit: Unit::Person,
                by,
                within,
                k,
            };
            let mut fast = Vec::new();
            for _ in 0..15 {
                let t = Instant::now();
                let f = scoring::figures(&store, &m, &q(None)).await.unwrap();
                fast.push(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(f);
            }
            // Another k forces the same figures to be computed from the stored scores.
            let same_k = Ratio::new(34, 100).unwrap();
            let mut slow = Vec::new();
            for _ in 0..3 {
                let t = Instant::now();
                let f = scoring::figures(&store, &m, &q(Some(same_k))).await;
                slow.push(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(f.ok());
            }
            let (f, s) = (median(fast), median(slow));
            println!("{name:<18} {f:>12.2} {s:>16.1} {:>7.0}x", s / f);
        }
    });
}
