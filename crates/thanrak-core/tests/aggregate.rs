//! Aggregates of scored households (methodology §2): by persons and households, by area, group
//! and sex of the head, checked against direct sums over a generated round.

use thanrak_core::measure::{aggregate, by_area, by_group, by_head_sex, score_round, Unit};
use thanrak_core::methodology::{Group, Methodology};
use thanrak_core::{AreaLevel, AreaRegistry};
use thanrak_demo::{generate, DemoConfig};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn aggregates_agree_with_direct_sums() {
    let m = Methodology::thanrak_default();
    let config = DemoConfig {
        households: 2_000,
        ..DemoConfig::default()
    };
    let [round, _] = generate(&config, AreaRegistry::official()).unwrap();
    let (hh, ms) = (&round.households, &round.members);
    let scores = score_round(m, hh, ms);

    for unit in [Unit::Person, Unit::Household] {
        let agg = aggregate(m, hh, &scores, unit, by_area(AreaLevel::District));
        let w = |s: &thanrak_core::measure::HouseholdScore| match unit {
            Unit::Person => f64::from(s.n_members),
            Unit::Household => 1.0,
        };
        let n: f64 = scores.iter().map(w).sum();
        let q: f64 = scores.iter().filter(|s| s.mpi_poor).map(w).sum();
        let m0: f64 = scores
            .iter()
            .filter(|s| s.mpi_poor)
            .map(|s| w(s) * s.score)
            .sum::<f64>()
            / n;
        let all = &agg.overall.af;
        assert_eq!(all.n, n);
        assert_eq!(all.q, q);
        assert!(close(all.m0, m0), "{} vs {m0}", all.m0);
        assert!(close(all.h * all.a, all.m0));
        for j in 0..m.indicators().len() {
            let hj: f64 = scores.iter().filter(|s| s.deprived(j)).map(w).sum::<f64>() / n;
            assert!(close(all.uncensored[j], hj));
        }
        assert!(close(all.contributions.iter().sum(), 1.0));
        // Subgroup consistency over districts.
        let weighted: f64 = agg.by_key.iter().map(|(_, s)| s.af.n / n * s.af.m0).sum();
        assert!(close(weighted, all.m0));
        assert!(agg.by_key.len() > 1, "households span several districts");
        for (code, _) in &agg.by_key {
            assert_eq!(code.level(), AreaLevel::District);
        }
        // Mean capitals over the unit.
        for c in 0..5 {
            let mean = scores.iter().map(|s| w(s) * s.capitals[c]).sum::<f64>() / n;
            assert!(close(agg.overall.mean_capitals[c], mean));
        }
    }

    // Counts by group, and keys by group and sex of the head.
    let agg = aggregate(m, hh, &scores, Unit::Person, by_group);
    for (i, g) in Group::ALL.into_iter().enumerate() {
        let households = scores.iter().filter(|s| s.group == g).count() as u64;
        let persons: u64 = scores
            .iter()
            .filter(|s| s.group == g)
            .map(|s| u64::from(s.n_members))
            .sum();
        assert_eq!(agg.overall.households[i], households);
        assert_eq!(agg.overall.persons[i], persons);
        if let Some((_, s)) = agg.by_key.iter().find(|(k, _)| *k == g) {
            assert_eq!(s.households[i], households);
            assert_eq!(s.households.iter().sum::<u64>(), households);
        }
    }
    assert_eq!(agg.overall.persons.iter().sum::<u64>(), ms.len() as u64);
    let by_sex = aggregate(m, hh, &scores, Unit::Household, by_head_sex);
    let n: f64 = by_sex.by_key.iter().map(|(_, s)| s.af.n).sum();
    assert_eq!(n, hh.len() as f64);
}
