//! Figures of methodology §2–§4 by any key: the Alkire–Foster measures, the four groups and the
//! capitals, by area at a level, by group, by sex of the head, or any other key.

use std::collections::BTreeMap;

use super::af::{AfAccumulator, AfInput, AfResult};
use super::HouseholdScore;
use crate::household::Sex;
use crate::methodology::{Group, Methodology};
use crate::{AreaCode, AreaLevel, Household};

/// Whom the figures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Persons (the default of §2): each member carries the household's deprivations and score.
    Person,
    /// Households.
    Household,
}

/// The figures of one population.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Alkire–Foster figures in the chosen unit.
    pub af: AfResult,
    /// Households in each group, in [`Group::ALL`] order.
    pub households: [u64; 4],
    /// Persons in each group, in [`Group::ALL`] order.
    pub persons: [u64; 4],
    /// Mean capital scores in [`crate::methodology::Capital::ALL`] order, over the chosen unit
    /// (by persons, a household counts once per member).
    pub mean_capitals: [f64; 5],
}

/// Figures overall and by key.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregation<K> {
    /// All households passed in.
    pub overall: Summary,
    /// Each key that occurs, in key order.
    pub by_key: Vec<(K, Summary)>,
}

#[derive(Debug, Clone, Default)]
struct Counts {
    households: [u64; 4],
    persons: [u64; 4],
    capitals: [f64; 5],
    weight: f64,
}

impl Counts {
    fn add(&mut self, s: &HouseholdScore, weight: f64) {
        self.households[s.group as usize] += 1;
        self.persons[s.group as usize] += u64::from(s.n_members);
        for (sum, c) in self.capitals.iter_mut().zip(s.capitals) {
            *sum += weight * c;
        }
        self.weight += weight;
    }

    fn summary(&self, af: AfResult) -> Summary {
        Summary {
            af,
            households: self.households,
            persons: self.persons,
            mean_capitals: self.capitals.map(|c| {
                if self.weight > 0.0 {
                    c / self.weight
                } else {
                    0.0
                }
            }),
        }
    }
}

/// Aggregates scored households by `by` (see [`by_area`], [`by_group`], [`by_head_sex`]).
/// `scores[i]` must be the score of `households[i]`, as [`super::score_round`] returns them.
///
/// # Panics
/// When the two slices differ in length.
pub fn aggregate<K: Ord + Clone>(
    m: &Methodology,
    households: &[Household],
    scores: &[HouseholdScore],
    unit: Unit,
    by: impl Fn(&Household, &HouseholdScore) -> K,
) -> Aggregation<K> {
    assert_eq!(households.len(), scores.len(), "one score per household");
    aggregate_scores(
        AfInput::from_methodology(m),
        households.iter().zip(scores).map(|(h, s)| (by(h, s), s)),
        unit,
    )
}

/// Aggregates keyed scores with the weights and cut-off of `input` (which may differ from the
/// methodology's k, for "what if" figures over stored scores).
pub fn aggregate_scores<'s, K: Ord + Clone>(
    input: AfInput,
    items: impl IntoIterator<Item = (K, &'s HouseholdScore)>,
    unit: Unit,
) -> Aggregation<K> {
    let mut agg = Aggregator::new(input, unit);
    for (key, s) in items {
        agg.push(key, s);
    }
    agg.finish()
}

/// Figures by key, added one scored household at a time, so that a round of any size streams
/// through it (scoring national files part by part); memory grows with the keys only.
#[derive(Debug, Clone)]
pub struct Aggregator<K> {
    af: AfAccumulator<K>,
    total: Counts,
    keyed: BTreeMap<K, Counts>,
    unit: Unit,
}

impl<K: Ord + Clone> Aggregator<K> {
    /// Nothing added yet; figures in `unit` with the weights and cut-off of `input`.
    pub fn new(input: AfInput, unit: Unit) -> Self {
        Aggregator {
            af: AfAccumulator::new(input),
            total: Counts::default(),
            keyed: BTreeMap::new(),
            unit,
        }
    }

    /// Adds a scored household under `key`.
    pub fn push(&mut self, key: K, s: &HouseholdScore) {
        let weight = match self.unit {
            Unit::Person => f64::from(s.n_members),
            Unit::Household => 1.0,
        };
        self.af
            .push_bits(s.deprivations.0, weight, Some(key.clone()));
        self.total.add(s, weight);
        self.keyed.entry(key).or_default().add(s, weight);
    }

    /// The figures overall and by key.
    pub fn finish(self) -> Aggregation<K> {
        let out = self.af.finish();
        Aggregation {
            overall: self.total.summary(out.overall),
            by_key: out
                .groups
                .into_iter()
                .zip(self.keyed)
                .map(|((k, r), (_, c))| (k, c.summary(r)))
                .collect(),
        }
    }
}

/// Key: the area enclosing the household's village at `level`.
pub fn by_area(level: AreaLevel) -> impl Fn(&Household, &HouseholdScore) -> AreaCode {
    move |h, _| h.village_code.ancestor(level).unwrap_or(h.village_code)
}

/// Key: the household's group.
pub fn by_group(_: &Household, s: &HouseholdScore) -> Group {
    s.group
}

/// Key: the sex of the head (`None` when no member is recorded as head).
pub fn by_head_sex(_: &Household, s: &HouseholdScore) -> Option<Sex> {
    s.head_sex
}
