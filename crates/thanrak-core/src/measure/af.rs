//! The Alkire–Foster method (methodology §2) over any deprivation matrix, exact in the cut-off.
//!
//! An [`AfAccumulator`] takes rows one at a time — 0/1 deprivations, a sampling weight and an
//! optional group key — and keeps only sums, so its memory depends on the number of indicators
//! and groups, not of rows: a file of millions of rows can stream through it. Scores are
//! integers over the common denominator of the weights, so `c ≥ k` is decided exactly and, with
//! unit weights, every figure is one division of exact integer sums.

use std::collections::BTreeMap;

use crate::methodology::{lcm, Methodology, Ratio};

/// Why an [`AfInput`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AfError {
    /// No indicators.
    #[error("there are no indicators")]
    Empty,
    /// A weight below zero.
    #[error("the weight of indicator {0} is negative")]
    NegativeWeight(usize),
    /// `k` is not positive.
    #[error("k must be positive")]
    K,
    /// The common denominator of the weights and k does not fit in 64 bits.
    #[error("the weights' common denominator is too large")]
    Overflow,
}

/// The weights wⱼ and the cut-off k of an Alkire–Foster measure.
#[derive(Debug, Clone, PartialEq)]
pub struct AfInput {
    weights: Vec<Ratio>,
    k: Ratio,
    int_weights: Vec<u64>,
    den: u64,
}

impl AfInput {
    /// Weights (any non-negative rationals; usually summing to 1) and a cut-off k > 0.
    pub fn new(weights: Vec<Ratio>, k: Ratio) -> Result<AfInput, AfError> {
        if weights.is_empty() {
            return Err(AfError::Empty);
        }
        if let Some(i) = weights.iter().position(|w| w.numer() < 0) {
            return Err(AfError::NegativeWeight(i));
        }
        if k.numer() <= 0 {
            return Err(AfError::K);
        }
        let den = lcm(weights.iter().map(|w| w.denom() as u64)).ok_or(AfError::Overflow)?;
        let int_weights = weights
            .iter()
            .map(|w| (w.numer() as u64).checked_mul(den / w.denom() as u64))
            .collect::<Option<Vec<u64>>>()
            .ok_or(AfError::Overflow)?;
        int_weights
            .iter()
            .try_fold(0u64, |s, w| s.checked_add(*w))
            .ok_or(AfError::Overflow)?;
        Ok(AfInput {
            weights,
            k,
            int_weights,
            den,
        })
    }

    /// `d` equally weighted indicators (1/d each).
    pub fn equal(d: usize, k: Ratio) -> Result<AfInput, AfError> {
        let w = Ratio::new(1, i64::try_from(d).map_err(|_| AfError::Overflow)?)
            .ok_or(AfError::Empty)?;
        AfInput::new(vec![w; d], k)
    }

    /// The methodology's indicator weights and k.
    pub fn from_methodology(m: &Methodology) -> AfInput {
        AfInput {
            weights: m.indicators().iter().map(|i| i.weight).collect(),
            k: m.k(),
            int_weights: m.integer_weights().to_vec(),
            den: m.denominator(),
        }
    }

    /// The weights.
    pub fn weights(&self) -> &[Ratio] {
        &self.weights
    }

    /// The cut-off.
    pub fn k(&self) -> Ratio {
        self.k
    }

    /// The number of indicators.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether there are no indicators (never true for a built input).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The common denominator D: every weight is an integer over D.
    pub fn denominator(&self) -> u64 {
        self.den
    }

    /// The numerator of cᵢ over [`AfInput::denominator`] for a row of deprivations.
    ///
    /// # Panics
    /// When the row's length is not the number of indicators.
    pub fn score(&self, row: &[bool]) -> u64 {
        assert_eq!(row.len(), self.len(), "a row has one 0/1 per indicator");
        row.iter()
            .zip(&self.int_weights)
            .filter(|(g, _)| **g)
            .map(|(_, w)| w)
            .sum()
    }

    /// Whether a score numerator reaches the cut-off: c ≥ k, exactly.
    pub fn is_poor(&self, c_num: u64) -> bool {
        u128::from(c_num) * self.k.denom() as u128 >= self.k.numer() as u128 * u128::from(self.den)
    }
}

/// Alkire–Foster figures of one population.
#[derive(Debug, Clone, PartialEq)]
pub struct AfResult {
    /// Population (Σ of sampling weights).
    pub n: f64,
    /// Poor population (Σ of the weights of those with c ≥ k).
    pub q: f64,
    /// Headcount ratio H = q / n.
    pub h: f64,
    /// Intensity A = Σ_poor c / q (0 when nobody is poor).
    pub a: f64,
    /// Adjusted headcount ratio M0 = H × A.
    pub m0: f64,
    /// Uncensored headcount hⱼ: the share deprived in j.
    pub uncensored: Vec<f64>,
    /// Censored headcount hⱼ(k): the share poor and deprived in j.
    pub censored: Vec<f64>,
    /// Contribution of j: wⱼ hⱼ(k) / M0 (they sum to 1; all 0 when M0 = 0).
    pub contributions: Vec<f64>,
}

/// Running sums of one population.
#[derive(Debug, Clone, Default)]
struct Sums {
    n: f64,
    q: f64,
    /// Σ weight × score numerator over the poor.
    c_poor: f64,
    uncensored: Vec<f64>,
    censored: Vec<f64>,
}

impl Sums {
    fn add(
        &mut self,
        d: usize,
        ones: impl Iterator<Item = usize> + Clone,
        c_num: u64,
        poor: bool,
        w: f64,
    ) {
        if self.uncensored.len() != d {
            self.uncensored.resize(d, 0.0);
            self.censored.resize(d, 0.0);
        }
        self.n += w;
        for j in ones.clone() {
            self.uncensored[j] += w;
        }
        if poor {
            self.q += w;
            self.c_poor += w * c_num as f64;
            for j in ones {
                self.censored[j] += w;
            }
        }
    }

    fn merge(&mut self, other: &Sums) {
        let d = self.uncensored.len().max(other.uncensored.len());
        self.uncensored.resize(d, 0.0);
        self.censored.resize(d, 0.0);
        self.n += other.n;
        self.q += other.q;
        self.c_poor += other.c_poor;
        for (a, b) in self.uncensored.iter_mut().zip(&other.uncensored) {
            *a += b;
        }
        for (a, b) in self.censored.iter_mut().zip(&other.censored) {
            *a += b;
        }
    }

    fn result(&self, input: &AfInput) -> AfResult {
        let d = input.len();
        let den = input.den as f64;
        let share = |v: Option<&f64>| {
            if self.n > 0.0 {
                v.copied().unwrap_or(0.0) / self.n
            } else {
                0.0
            }
        };
        AfResult {
            n: self.n,
            q: self.q,
            h: share(Some(&self.q)),
            a: if self.q > 0.0 {
                self.c_poor / (den * self.q)
            } else {
                0.0
            },
            m0: if self.n > 0.0 {
                self.c_poor / (den * self.n)
            } else {
                0.0
            },
            uncensored: (0..d).map(|j| share(self.uncensored.get(j))).collect(),
            censored: (0..d).map(|j| share(self.censored.get(j))).collect(),
            contributions: (0..d)
                .map(|j| {
                    if self.c_poor > 0.0 {
                        input.int_weights[j] as f64 * self.censored.get(j).copied().unwrap_or(0.0)
                            / self.c_poor
                    } else {
                        0.0
                    }
                })
                .collect(),
        }
    }
}

/// Figures overall and per group, groups in key order.
#[derive(Debug, Clone, PartialEq)]
pub struct AfOutput<K> {
    /// The whole population.
    pub overall: AfResult,
    /// Each group that received at least one row.
    pub groups: Vec<(K, AfResult)>,
}

/// Streams rows into Alkire–Foster sums; memory independent of the number of rows.
#[derive(Debug, Clone)]
pub struct AfAccumulator<K = ()> {
    input: AfInput,
    total: Sums,
    groups: BTreeMap<K, Sums>,
}

impl<K: Ord> AfAccumulator<K> {
    /// An empty accumulator.
    pub fn new(input: AfInput) -> Self {
        AfAccumulator {
            input,
            total: Sums::default(),
            groups: BTreeMap::new(),
        }
    }

    /// The weights and cut-off.
    pub fn input(&self) -> &AfInput {
        &self.input
    }

    fn add(
        &mut self,
        ones: impl Iterator<Item = usize> + Clone,
        c_num: u64,
        weight: f64,
        group: Option<K>,
    ) {
        let poor = self.input.is_poor(c_num);
        let d = self.input.len();
        self.total.add(d, ones.clone(), c_num, poor, weight);
        if let Some(g) = group {
            self.groups
                .entry(g)
                .or_default()
                .add(d, ones, c_num, poor, weight);
        }
    }

    /// Adds a row: one deprivation flag per indicator, a sampling weight (1 when unweighted) and
    /// the row's group, if figures by group are wanted.
    ///
    /// # Panics
    /// When the row's length is not the number of indicators.
    pub fn push(&mut self, row: &[bool], weight: f64, group: Option<K>) {
        let c_num = self.input.score(row);
        let ones = row.iter().enumerate().filter(|(_, g)| **g).map(|(j, _)| j);
        self.add(ones, c_num, weight, group);
    }

    /// Adds a row given as bits (bit j = indicator j), for at most 64 indicators.
    ///
    /// # Panics
    /// When a bit beyond the number of indicators is set.
    pub fn push_bits(&mut self, bits: u64, weight: f64, group: Option<K>) {
        let d = self.input.len();
        assert!(
            d >= 64 || bits >> d == 0,
            "a bit beyond the last indicator is set"
        );
        let w = &self.input.int_weights;
        let ones = super::Bits(bits).ones();
        let c_num = ones.clone().map(|j| w[j]).sum();
        self.add(ones, c_num, weight, group);
    }

    /// Adds another accumulator's rows (for example one filled by another thread).
    pub fn merge(&mut self, other: AfAccumulator<K>) {
        self.total.merge(&other.total);
        for (k, s) in other.groups {
            self.groups.entry(k).or_default().merge(&s);
        }
    }

    /// The same sums with each group's key replaced by `f(key)`; keys that `f` makes equal are
    /// merged (a chunk's own group numbers turned into the groups' names).
    pub fn map_groups<K2: Ord>(self, mut f: impl FnMut(K) -> K2) -> AfAccumulator<K2> {
        let mut groups: BTreeMap<K2, Sums> = BTreeMap::new();
        for (k, s) in self.groups {
            groups.entry(f(k)).or_default().merge(&s);
        }
        AfAccumulator {
            input: self.input,
            total: self.total,
            groups,
        }
    }

    /// The figures.
    pub fn finish(self) -> AfOutput<K> {
        AfOutput {
            overall: self.total.result(&self.input),
            groups: self
                .groups
                .into_iter()
                .map(|(k, s)| {
                    let r = s.result(&self.input);
                    (k, r)
                })
                .collect(),
        }
    }
}

/// Deprivations of one person from achievements and cut-offs: deprived when below the cut-off.
pub fn deprived_below(achievements: &[f64], cutoffs: &[f64]) -> Vec<bool> {
    achievements
        .iter()
        .zip(cutoffs)
        .map(|(x, z)| x < z)
        .collect()
}
