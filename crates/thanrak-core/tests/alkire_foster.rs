//! The two published checks of methodology §2, reproduced exactly, and properties of the
//! Alkire–Foster engine: subgroup consistency of M0 and contributions summing to 1.

use proptest::prelude::*;
use thanrak_core::measure::af::{deprived_below, AfAccumulator, AfInput};
use thanrak_core::methodology::Ratio;

fn r(s: &str) -> Ratio {
    Ratio::parse(s).unwrap()
}

fn bits(s: &str) -> Vec<bool> {
    s.bytes().map(|b| b == b'1').collect()
}

/// `a / b` as the nearest float: what an exact result prints as.
fn q(a: f64, b: f64) -> f64 {
    a / b
}

#[test]
fn five_persons_with_k_one_half() {
    let rows = ["1010", "0100", "0111", "1000", "1010"];
    let mut acc = AfAccumulator::new(AfInput::equal(4, r("1/2")).unwrap());
    for (i, row) in rows.iter().enumerate() {
        // Persons 1–2 form group "a", persons 3–5 group "b".
        acc.push(&bits(row), 1.0, Some(if i < 2 { "a" } else { "b" }));
    }
    let out = acc.finish();
    let all = &out.overall;
    assert_eq!((all.n, all.q), (5.0, 3.0));
    assert_eq!(all.h, 0.6);
    assert_eq!(all.a, q(7.0, 12.0));
    assert_eq!(all.m0, 0.35);
    assert_eq!(all.uncensored, vec![0.6, 0.4, 0.6, 0.2]);
    assert_eq!(all.censored, vec![0.4, 0.2, 0.6, 0.2]);
    assert_eq!(
        all.contributions,
        vec![q(2.0, 7.0), q(1.0, 7.0), q(3.0, 7.0), q(1.0, 7.0)]
    );
    assert_eq!(out.groups.len(), 2);
    assert_eq!(out.groups[0].0, "a");
    assert_eq!(out.groups[0].1.m0, 0.25);
    assert_eq!(out.groups[1].0, "b");
    assert_eq!(out.groups[1].1.m0, q(5.0, 12.0));
}

#[test]
fn alkire_foster_2011_example() {
    let achievements = [
        [13.1, 14.0, 4.0, 1.0],
        [15.2, 7.0, 5.0, 0.0],
        [12.5, 10.0, 1.0, 0.0],
        [20.0, 11.0, 3.0, 1.0],
    ];
    let cutoffs = [13.0, 12.0, 3.0, 1.0];
    let run = |k: &str| {
        let mut acc = AfAccumulator::<()>::new(AfInput::equal(4, r(k)).unwrap());
        for a in &achievements {
            acc.push(&deprived_below(a, &cutoffs), 1.0, None);
        }
        acc.finish().overall
    };
    // k counts indicators out of 4 (equal weights): 2 of 4 is 1/2.
    let k2 = run("2/4");
    assert_eq!((k2.h, k2.a, k2.m0), (0.5, 0.75, 0.375));
    let k1 = run("1/4");
    assert_eq!((k1.h, k1.m0), (0.75, 0.4375));
    let k3 = run("3/4");
    assert_eq!((k3.h, k3.a, k3.m0), (0.25, 1.0, 0.25));
}

#[test]
fn the_cut_off_is_exact_with_weights_that_floats_cannot_hold() {
    // Thirds: 1/3 + 1/3 + 1/3 is exactly 1 and a person deprived in one of three is exactly at
    // k = 1/3, which float sums (0.333… < 1/3 after rounding) can get wrong.
    let input = AfInput::new(vec![r("1/3"); 3], r("1/3")).unwrap();
    let mut acc = AfAccumulator::<()>::new(input);
    acc.push(&bits("100"), 1.0, None);
    acc.push(&bits("000"), 1.0, None);
    let out = acc.finish().overall;
    assert_eq!((out.q, out.h), (1.0, 0.5));
}

#[test]
fn sampling_weights_and_empty_populations() {
    let mut acc = AfAccumulator::<u8>::new(AfInput::equal(2, r("1/2")).unwrap());
    let empty = acc.clone().finish().overall;
    assert_eq!((empty.n, empty.h, empty.m0), (0.0, 0.0, 0.0));
    acc.push(&bits("11"), 3.0, Some(1));
    acc.push(&bits("00"), 1.0, Some(2));
    let out = acc.finish();
    assert_eq!(
        (out.overall.n, out.overall.h, out.overall.m0),
        (4.0, 0.75, 0.75)
    );
    assert_eq!(out.groups[1].1.contributions, vec![0.0, 0.0]);
}

#[derive(Debug, Clone)]
struct Case {
    weights: Vec<Ratio>,
    k: Ratio,
    rows: Vec<(Vec<bool>, f64, u8)>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..7)
        .prop_flat_map(|d| {
            (
                prop::collection::vec(1i64..12, d),
                1i64..=12,
                prop::collection::vec(
                    (prop::collection::vec(any::<bool>(), d), 1u32..5, 0u8..4),
                    0..40,
                ),
            )
        })
        .prop_map(|(raw, k12, rows)| {
            let total: i64 = raw.iter().sum();
            Case {
                weights: raw.iter().map(|w| Ratio::new(*w, total).unwrap()).collect(),
                k: Ratio::new(k12, 12).unwrap(),
                rows: rows
                    .into_iter()
                    .map(|(g, w, grp)| (g, f64::from(w), grp))
                    .collect(),
            }
        })
}

proptest! {
    #[test]
    fn m0_is_subgroup_consistent_and_contributions_sum_to_one(c in case()) {
        let mut acc = AfAccumulator::new(AfInput::new(c.weights.clone(), c.k).unwrap());
        for (row, w, g) in &c.rows {
            acc.push(row, *w, Some(*g));
        }
        let out = acc.finish();
        let all = &out.overall;
        let weighted: f64 = out.groups.iter().map(|(_, g)| g.n / all.n * g.m0).sum();
        if all.n > 0.0 {
            prop_assert!((weighted - all.m0).abs() < 1e-12, "Σ n_g/n M0_g = {weighted}, M0 = {}", all.m0);
            prop_assert!((all.h * all.a - all.m0).abs() < 1e-12);
        }
        if all.m0 > 0.0 {
            let sum: f64 = all.contributions.iter().sum();
            prop_assert!((sum - 1.0).abs() < 1e-12, "contributions sum to {sum}");
        }
        let n: f64 = out.groups.iter().map(|(_, g)| g.n).sum();
        prop_assert_eq!(n, all.n);
    }

    #[test]
    fn merging_accumulators_equals_one_pass(c in case(), split in 0usize..40) {
        let input = AfInput::new(c.weights.clone(), c.k).unwrap();
        let mut one = AfAccumulator::new(input.clone());
        let (mut a, mut b) = (AfAccumulator::new(input.clone()), AfAccumulator::new(input));
        for (i, (row, w, g)) in c.rows.iter().enumerate() {
            one.push(row, *w, Some(*g));
            if i < split { a.push(row, *w, Some(*g)) } else { b.push(row, *w, Some(*g)) }
        }
        a.merge(b);
        prop_assert_eq!(one.finish(), a.finish());
    }
}
