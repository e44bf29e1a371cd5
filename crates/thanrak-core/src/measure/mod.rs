//! Measurement (methodology §2–§4): each household's deprivations, exact deprivation score,
//! MPI and target status, capital scores and group with its reasons ([`score_round`]); the
//! Alkire–Foster aggregates ([`af`]); and figures by area, group or any key ([`aggregate()`]).

pub mod af;
mod aggregate;
pub mod change;
pub mod disclosure;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

pub use aggregate::{
    aggregate, aggregate_scores, by_area, by_group, by_head_sex, Aggregation, Aggregator, Summary,
    Unit,
};

use crate::household::{Relation, Sex};
use crate::methodology::{hflag, hnum, mflag};
use crate::methodology::{Capital, Criterion, Env, Group, HouseholdRow, MemberRow, Methodology};
use crate::{Household, HouseholdId, Member};

/// A set of up to 64 flags in methodology order (deprivations, or capital criteria met).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Bits(pub u64);

impl Bits {
    /// Whether flag `i` is set.
    pub fn get(self, i: usize) -> bool {
        i < 64 && self.0 >> i & 1 == 1
    }

    /// How many flags are set.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// The indices of the set flags, in order.
    pub fn ones(self) -> impl Iterator<Item = usize> + Clone {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let i = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                i
            })
        })
    }

    /// The first `len` flags as booleans.
    pub fn to_vec(self, len: usize) -> Vec<bool> {
        (0..len).map(|i| self.get(i)).collect()
    }
}

/// The deprivation score c as an exact fraction `num / den` (den is the methodology's
/// common denominator of the weights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExactScore {
    /// Σ of the integer weights of the deprived indicators.
    pub num: u64,
    /// The common denominator of the weights.
    pub den: u64,
}

impl ExactScore {
    /// The score as a float.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// Everything the methodology says about one household.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdScore {
    /// The household.
    pub household_id: HouseholdId,
    /// Deprived indicators, in [`Methodology::indicators`] order.
    pub deprivations: Bits,
    /// The deprivation score c, exactly.
    pub c: ExactScore,
    /// The deprivation score c as a float (0–1).
    pub score: f64,
    /// c ≥ k, decided exactly.
    pub mpi_poor: bool,
    /// Target poor under the methodology's rule (by default TPMAP's: deprived in at least one
    /// indicator, c > 0).
    pub target_poor: bool,
    /// Capital scores (share of criteria met), in [`Capital::ALL`] order.
    pub capitals: [f64; 5],
    /// Capital criteria met, in [`Methodology::criteria`] order; the others failed.
    pub criteria_met: Bits,
    /// The household's group (§4).
    pub group: Group,
    /// The group rule that decided, as an index into [`Methodology::group_rules`].
    pub rule: usize,
    /// The needs of §5 that fit, in [`Methodology::needs`] order.
    pub needs: Bits,
    /// Income per person per year: (Σ members' income + transfers) / n.
    pub income_pc: f64,
    /// Number of members.
    pub n_members: u32,
    /// Number of capable workers.
    pub capable_workers: u32,
    /// Sex of the (first) member recorded as head, if any.
    pub head_sex: Option<Sex>,
}

/// Why a reason is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonKind {
    /// The group rule that decided the group.
    Rule,
    /// A capital criterion the household does not meet.
    FailedCriterion,
}

/// One reason for a household's group: a stable code and its text, borrowed from the methodology.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason<'m> {
    /// Rule or failed criterion.
    pub kind: ReasonKind,
    /// The rule id (`hardship`) or the criterion code (`human.capable_worker`).
    pub code: &'m str,
    /// Thai text (a criterion's text says what it takes to meet it).
    pub label_th: &'m str,
    /// English text.
    pub label_en: &'m str,
}

impl HouseholdScore {
    /// Whether the household is deprived in indicator `i`.
    pub fn deprived(&self, i: usize) -> bool {
        self.deprivations.get(i)
    }

    /// The capital score of one capital.
    pub fn capital(&self, c: Capital) -> f64 {
        self.capitals[c as usize]
    }

    /// The criteria the household fails, in methodology order.
    pub fn failed_criteria<'m>(
        &self,
        m: &'m Methodology,
    ) -> impl Iterator<Item = &'m Criterion> + 'm {
        let met = self.criteria_met;
        m.criteria()
            .iter()
            .enumerate()
            .filter(move |(i, _)| !met.get(*i))
            .map(|(_, c)| c)
    }

    /// The reasons for the group: the deciding rule, then every failed criterion.
    pub fn reasons<'m>(&self, m: &'m Methodology) -> Vec<Reason<'m>> {
        let rule = &m.group_rules()[self.rule];
        std::iter::once(Reason {
            kind: ReasonKind::Rule,
            code: &rule.id,
            label_th: &rule.label_th,
            label_en: &rule.label_en,
        })
        .chain(self.failed_criteria(m).map(|c| Reason {
            kind: ReasonKind::FailedCriterion,
            code: &c.code,
            label_th: &c.label_th,
            label_en: &c.label_en,
        }))
        .collect()
    }
}

/// Scores one household from its own members (in any order; members of other households must
/// not be passed).
pub fn score_household(
    m: &Methodology,
    household: &Household,
    members: &[Member],
) -> HouseholdScore {
    let mut rows = Vec::with_capacity(members.len());
    score_with(m, household, members.iter(), &mut rows, 0)
}

/// Scores every household of `households` (any rounds) from `members` (any order); members are
/// matched to their household by round and household id, and members without a household are
/// ignored (the import checks report them). The result is in the order of `households`.
///
/// A household without members is scored as if it had one person with no income, so that
/// `income_pc` is its transfers.
pub fn score_round(
    m: &Methodology,
    households: &[Household],
    members: &[Member],
) -> Vec<HouseholdScore> {
    score_round_in(m, households, members, &AreaContext::default())
}

/// Facts about the households' areas that rules may use and the household's own fields do not
/// hold: the subdistricts with a community-based tourism group of the grassroots-economy
/// registry (`cbt_in_subdistrict`, the tourism need of §5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AreaContext {
    /// Subdistricts (6-digit codes) with a CBT group.
    pub cbt_subdistricts: std::collections::BTreeSet<crate::AreaCode>,
}

impl AreaContext {
    fn flags(&self, h: &Household) -> u32 {
        let sub = h.village_code.ancestor(crate::AreaLevel::Subdistrict);
        if sub.is_some_and(|s| self.cbt_subdistricts.contains(&s)) {
            hflag::CBT_IN_SUBDISTRICT
        } else {
            0
        }
    }
}

/// [`score_round`] with the facts of the households' areas.
pub fn score_round_in(
    m: &Methodology,
    households: &[Household],
    members: &[Member],
    context: &AreaContext,
) -> Vec<HouseholdScore> {
    let index = MemberIndex::build(households, members);
    households
        .par_iter()
        .enumerate()
        .with_min_len(256)
        .map_init(Vec::new, |rows, (i, h)| {
            let (a, b) = (index.offsets[i] as usize, index.offsets[i + 1] as usize);
            match &index.order {
                None => score_with(m, h, members[a..b].iter(), rows, context.flags(h)),
                Some(order) => score_with(
                    m,
                    h,
                    order[a..b].iter().map(|&j| &members[j as usize]),
                    rows,
                    context.flags(h),
                ),
            }
        })
        .collect()
}

/// The members of each household: `offsets[i]..offsets[i + 1]` indexes `order` (or, when
/// `order` is `None`, the members slice itself).
struct MemberIndex {
    offsets: Vec<u32>,
    order: Option<Vec<u32>>,
}

fn same_household(m: &Member, h: &Household) -> bool {
    m.household_id == h.household_id && m.round == h.round
}

impl MemberIndex {
    fn build(households: &[Household], members: &[Member]) -> MemberIndex {
        assert!(
            members.len() < u32::MAX as usize,
            "too many members for one call"
        );
        // The usual layout: members grouped by household, in the order of the households. Find
        // the runs of members of one household in parallel and check them against the households.
        let starts: Vec<u32> = (0..members.len())
            .into_par_iter()
            .with_min_len(4096)
            .filter(|&j| {
                j == 0
                    || members[j].household_id != members[j - 1].household_id
                    || members[j].round != members[j - 1].round
            })
            .map(|j| j as u32)
            .collect();
        if starts.len() == households.len()
            && (0..households.len())
                .into_par_iter()
                .with_min_len(1024)
                .all(|i| same_household(&members[starts[i] as usize], &households[i]))
        {
            let mut offsets = starts;
            offsets.push(members.len() as u32);
            return MemberIndex {
                offsets,
                order: None,
            };
        }
        // The same order, with households that have no members: one linear pass.
        let mut offsets = Vec::with_capacity(households.len() + 1);
        offsets.push(0u32);
        let mut j = 0;
        for h in households {
            while j < members.len() && same_household(&members[j], h) {
                j += 1;
            }
            offsets.push(j as u32);
        }
        if j == members.len() {
            return MemberIndex {
                offsets,
                order: None,
            };
        }
        // Any order: look each member's household up, then a stable counting sort.
        let mut keys: HashMap<(&str, &str), u32, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(households.len(), Default::default());
        for (i, h) in households.iter().enumerate() {
            keys.entry((h.round.as_str(), h.household_id.as_str()))
                .or_insert(i as u32);
        }
        let owner: Vec<u32> = members
            .par_iter()
            .with_min_len(4096)
            .map(|m| {
                keys.get(&(m.round.as_str(), m.household_id.as_str()))
                    .copied()
                    .unwrap_or(u32::MAX)
            })
            .collect();
        let mut counts = vec![0u32; households.len() + 1];
        for &o in &owner {
            if o != u32::MAX {
                counts[o as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut next = counts;
        let mut order = vec![0u32; offsets[households.len()] as usize];
        for (mi, &o) in owner.iter().enumerate() {
            if o != u32::MAX {
                order[next[o as usize] as usize] = mi as u32;
                next[o as usize] += 1;
            }
        }
        MemberIndex {
            offsets,
            order: Some(order),
        }
    }
}

/// The multiply-rotate hash of rustc (FxHash): household keys are short strings, hashed a
/// million times per round, where SipHash's protection against chosen collisions is not needed.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What later rules see: the results so far (deprivations, criteria met, capitals, score,
/// MPI-poor) over the household row as it is by then.
fn env_over<'a>(
    hh: &'a HouseholdRow,
    members: &'a [MemberRow],
    (deprived, met, capitals, score, mpi_poor): (u64, u64, [f64; 5], f64, bool),
) -> Env<'a> {
    Env {
        hh,
        members,
        deprived,
        met,
        capitals,
        score,
        mpi_poor,
    }
}

fn score_with<'a>(
    m: &Methodology,
    h: &Household,
    members: impl Iterator<Item = &'a Member>,
    rows: &mut Vec<MemberRow>,
    area_flags: u32,
) -> HouseholdScore {
    // The id's text lives elsewhere on the heap and is likely a cache miss: start the copy
    // first, so that the work below overlaps the wait.
    let household_id = h.household_id.clone();
    rows.clear();
    let mut head_sex = None;
    let mut income = 0.0;
    for mem in members {
        let row = MemberRow::new(mem, h.survey_date);
        income += mem.income_thb_year;
        if head_sex.is_none() && mem.relation == Relation::Head {
            head_sex = Some(mem.sex);
        }
        rows.push(row);
    }
    let mut hh = HouseholdRow::new(h);
    hh.flags |= area_flags;
    let n = rows.len();
    let income_total = income + h.transfers_thb_year;
    let income_pc = income_total / n.max(1) as f64;
    hh.num[hnum::N] = n as f64;
    hh.num[hnum::INCOME_TOTAL] = income_total;
    hh.num[hnum::INCOME_PC] = income_pc;

    // The capable-worker rule is about one member and never looks at the others.
    let mut capable_workers = 0u32;
    {
        let env = Env {
            hh: &hh,
            members: &[],
            deprived: 0,
            met: 0,
            capitals: [0.0; 5],
            score: 0.0,
            mpi_poor: false,
        };
        for row in rows.iter_mut() {
            if m.capable_worker().holds(&env, row) {
                row.flags |= mflag::CAPABLE_WORKER;
                capable_workers += 1;
            }
        }
    }
    hh.num[hnum::CAPABLE_WORKERS] = f64::from(capable_workers);

    let none = MemberRow::default();
    let mut env = Env {
        hh: &hh,
        members: rows,
        deprived: 0,
        met: 0,
        capitals: [0.0; 5],
        score: 0.0,
        mpi_poor: false,
    };
    let weights = m.integer_weights();
    let mut c_num = 0u64;
    for (j, ind) in m.indicators().iter().enumerate() {
        if ind.rule.holds(&env, &none) {
            env.deprived |= 1 << j;
            c_num += weights[j];
        }
    }
    let den = m.denominator();
    let k = m.k();
    let mpi_poor = u128::from(c_num) * k.denom() as u128 >= k.numer() as u128 * u128::from(den);
    env.score = c_num as f64 / den as f64;
    env.mpi_poor = mpi_poor;

    let mut met_count = [0u32; 5];
    let mut total = [0u32; 5];
    for (j, crit) in m.criteria().iter().enumerate() {
        let ci = crit.capital as usize;
        total[ci] += 1;
        if crit.rule.holds(&env, &none) {
            env.met |= 1 << j;
            met_count[ci] += 1;
        }
    }
    for c in 0..5 {
        env.capitals[c] = f64::from(met_count[c]) / f64::from(total[c].max(1));
    }
    let target_poor = m.target_poor_rule().holds(&env, &none);
    let (deprived, met, capitals, score) = (env.deprived, env.met, env.capitals, env.score);

    // The mean of the capital shares from whole counts: Σ met/total over 5 as one division of
    // integers, so that it is exactly 1/4, 1/2 or 3/4 when it should be (tpmap-welfare-1 bands).
    let product: u64 = total.iter().map(|&t| u64::from(t.max(1))).product();
    let mean_num: u64 = (0..5)
        .map(|c| u64::from(met_count[c]) * (product / u64::from(total[c].max(1))))
        .sum();
    hh.num[hnum::CAPITAL_MEAN] = mean_num as f64 / (5 * product) as f64;
    let results = (deprived, met, capitals, score, mpi_poor);
    let env = env_over(&hh, rows, results);
    let rules = m.group_rules();
    let rule = rules
        .iter()
        .position(|r| r.rule.holds(&env, &none))
        .unwrap_or(rules.len() - 1);
    let group = rules[rule].group;

    let mut needs = 0u64;
    if !m.needs().is_empty() {
        hh.enums[3] = group as u8;
        if target_poor {
            hh.flags |= hflag::TARGET_POOR;
        }
        let env = env_over(&hh, rows, results);
        for (j, need) in m.needs().iter().enumerate() {
            if need.rule.holds(&env, &none) {
                needs |= 1 << j;
            }
        }
    }

    HouseholdScore {
        household_id,
        deprivations: Bits(deprived),
        c: ExactScore { num: c_num, den },
        score,
        mpi_poor,
        target_poor,
        capitals,
        criteria_met: Bits(met),
        group,
        rule,
        needs: Bits(needs),
        income_pc,
        n_members: n as u32,
        capable_workers,
        head_sex,
    }
}
