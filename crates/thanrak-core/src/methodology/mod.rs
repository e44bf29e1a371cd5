//! The methodology file (methodology.md §1–§4 as data): the income line, the cut-off `k`, the
//! capable-worker definition, dimensions and their weights, indicators, capital criteria and the
//! group rules, each rule written in a small expression language and compiled once when the file
//! is loaded.
//!
//! The file is TOML. [`Methodology::default_file`] is the shipped default (`thanrak-default-1`);
//! [`Methodology::parse`] loads any file and refuses a wrong one with a [`MethodologyError`] that
//! names the line and column.
//!
//! # The rule language
//!
//! A rule is a condition over the fields of methodology §1 and a few derived values:
//!
//! * comparisons `==` (or `=`), `!=`, `<`, `<=`, `>`, `>=`; `x in [a, b]`, `x not in [a, b]`;
//!   `and`, `or`, `not`, parentheses; arithmetic `+ - * /`; numbers; `true`, `false`;
//! * household fields (`housing_condition`, `savings_thb`, …), member fields (`age`, `in_school`,
//!   …), flags compared with `0`/`1`, enumeration codes written bare or quoted
//!   (`housing_tenure == none`, `education < upper_secondary`: education levels are ordered);
//! * derived values: `n` (members), `income_total` (Σ members' income + transfers), `income_pc`
//!   (`income_total / n`), `line`, `capable_workers` (count), member `capable_worker` and `age`
//!   (completed years at the survey date);
//! * functions: `any_member(c)`, `every_member(c)`, `no_member(c)`, `count_members(c)`,
//!   `deprived(indicator)`, `capital(capital)` (group rules only), `has_skill(skill)` (members);
//!   `score` and `mpi_poor` are known to capital criteria and group rules.
//!
//! An indicator or criterion is `when = "…"` with a `scope`: `household` (default),
//! `any_member`, `every_member` or `no_member` (alias `none_member`), the member scopes optionally
//! narrowed by `among = "…"` (for example `every_member` of those `among = "age >= 6 and age <=
//! 14"` has `in_school == 1`).
//!
//! # The file
//!
//! * `id`, `version`, optional `title`; `line` (baht per person per year); `k` (`"1/3"` or a
//!   number in (0, 1]);
//! * `[capable_worker]` `when`: a rule about one member;
//! * `[[dimension]]` `id`, `label_th`, `label_en`, `weight` (a fraction or a number; dimensions
//!   without one share what is left equally); the weights must sum to 1 (within 1e-9);
//! * `[[indicator]]` `id`, `dimension`, labels, optional `weight` (a share of the whole score;
//!   indicators without one share what their dimension has left equally), `scope`, `among`,
//!   `when` (deprived when it holds). `deprived(x)` may name indicators listed before;
//! * `[[capital]]` `id` (each of human, physical, financial, natural, social), labels, and
//!   `[[capital.criterion]]` `id`, labels, `scope`, `among`, `when` (met when it holds);
//! * `[[group_rule]]` `id`, `group` (hardship, struggling, getting_by, doing_well), labels and
//!   `when`, tried in order; the last has no `when` (otherwise).
//!
//! Rules are parsed, type-checked and compiled once, into closures over compact rows of the
//! household and its members; scoring never looks at the text again.

mod compile;
mod expr;
mod file;
mod parse;
mod ratio;
mod rule;
mod weights;

use std::fmt;
use std::sync::OnceLock;

pub(crate) use compile::{hflag, hnum, mflag, Env, HouseholdRow, MemberRow, Pred};
pub(crate) use ratio::lcm;
pub use ratio::Ratio;

/// The methodology file that ships with thanrak as its default.
const DEFAULT_FILE: &str = include_str!("../../methodology/thanrak-default-1.toml");

/// Every methodology file that ships with thanrak, by id: the default first, then the variant
/// of methodology.md §8 that follows TPMAP's published rule.
pub const SHIPPED_FILES: [(&str, &str); 2] = [
    ("thanrak-default-1", DEFAULT_FILE),
    (
        "tpmap-welfare-1",
        include_str!("../../methodology/tpmap-welfare-1.toml"),
    ),
];

/// The most indicators (and, separately, capital criteria) a methodology may have: results keep
/// them as bits of a `u64`.
pub const MAX_INDICATORS: usize = 64;

crate::labelled_enum!(
    /// The four household groups of methodology §4, from the worst off.
    pub enum Group {
        Hardship = "hardship" / "อยู่ลำบาก" / "Hardship",
        Struggling = "struggling" / "อยู่ยาก" / "Struggling",
        GettingBy = "getting_by" / "อยู่พอได้" / "Getting by",
        DoingWell = "doing_well" / "อยู่ดี" / "Doing well",
    }
);

crate::labelled_enum!(
    /// The five livelihood capitals of methodology §3, in the order of every capital array.
    pub enum Capital {
        Human = "human" / "ทุนมนุษย์" / "Human capital",
        Physical = "physical" / "ทุนกายภาพ" / "Physical capital",
        Financial = "financial" / "ทุนการเงิน" / "Financial capital",
        Natural = "natural" / "ทุนธรรมชาติ" / "Natural capital",
        Social = "social" / "ทุนทางสังคม" / "Social capital",
    }
);

/// What a rule quantifies over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    /// The condition is about the household.
    Household,
    /// Holds when the condition holds for at least one member.
    AnyMember,
    /// Holds when the condition holds for every member (true for a household without members).
    EveryMember,
    /// Holds when the condition holds for no member.
    NoMember,
    /// The rule is about one member at a time (the capable-worker definition).
    Member,
}

impl RuleScope {
    /// The code used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleScope::Household => "household",
            RuleScope::AnyMember => "any_member",
            RuleScope::EveryMember => "every_member",
            RuleScope::NoMember => "no_member",
            RuleScope::Member => "member",
        }
    }
}

/// A compiled rule and its source text.
#[derive(Clone)]
pub struct Rule {
    /// What the rule quantifies over.
    pub scope: RuleScope,
    /// The members the rule is about (member scopes only), as written.
    pub among: Option<String>,
    /// The condition as written (`true` for an unconditional group rule).
    pub when: String,
    pred: Pred,
}

impl Rule {
    pub(crate) fn holds(&self, env: &Env, member: &MemberRow) -> bool {
        (self.pred)(env, member)
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("scope", &self.scope)
            .field("among", &self.among)
            .field("when", &self.when)
            .finish_non_exhaustive()
    }
}

/// A dimension of the MPI.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Stable id, such as `health`.
    pub id: String,
    /// Thai label.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// The dimension's share of the score.
    pub weight: Ratio,
    /// Its indicators, as indices into [`Methodology::indicators`].
    pub indicators: Vec<usize>,
}

/// An MPI indicator: a household is deprived when its rule holds.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Stable id, such as `health_coverage`.
    pub id: String,
    /// Thai label (describes the deprivation).
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// A short Thai label for lists and charts (`short_th`; the label when absent).
    pub short_th: String,
    /// A short English label (`short_en`; the label when absent).
    pub short_en: String,
    /// Index into [`Methodology::dimensions`].
    pub dimension: usize,
    /// The indicator's weight wⱼ in the score (a share of the whole, not of the dimension).
    pub weight: Ratio,
    /// When the household is deprived.
    pub rule: Rule,
}

/// A criterion of a livelihood capital: met when its rule holds.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Stable code, `capital.criterion`, such as `human.capable_worker`.
    pub code: String,
    /// The capital it counts towards.
    pub capital: Capital,
    /// Thai label (describes the criterion met).
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// When the criterion is met.
    pub rule: Rule,
}

/// A rule of methodology §4: the first rule that holds decides the household's group.
#[derive(Debug, Clone)]
pub struct GroupRule {
    /// Stable id of the rule, such as `hardship`.
    pub id: String,
    /// The group it assigns.
    pub group: Group,
    /// Thai explanation of the rule.
    pub label_th: String,
    /// English explanation of the rule.
    pub label_en: String,
    /// When the rule holds.
    pub rule: Rule,
}

/// A loaded, checked and compiled methodology file.
#[derive(Debug, Clone)]
pub struct Methodology {
    id: String,
    version: String,
    line: f64,
    k: Ratio,
    capable_worker: Rule,
    dimensions: Vec<Dimension>,
    indicators: Vec<Indicator>,
    criteria: Vec<Criterion>,
    group_rules: Vec<GroupRule>,
    target_poor: Rule,
    needs: Vec<Need>,
    title: Option<String>,
    denominator: u64,
    int_weights: Vec<u64>,
}

/// The target-poor rule of a file that gives none: deprived in at least one indicator.
const DEFAULT_TARGET_POOR: &str = "score > 0";

/// A kind of help that fits a household (methodology §5): its rule and the agencies that meet it.
#[derive(Debug, Clone)]
pub struct Need {
    /// Stable id, such as `housing`.
    pub id: String,
    /// Thai label.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// Codes of the agencies whose mission covers it, by default.
    pub agencies: Vec<String>,
    /// When the household has the need (it may use every result: indicators, capitals, the
    /// group, target poor, and members).
    pub rule: Rule,
}

/// What is wrong with a methodology file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodologyErrorKind {
    /// The file is not valid TOML.
    Toml,
    /// A rule does not parse.
    Syntax,
    /// A rule names a field (or function) that does not exist.
    UnknownField,
    /// A rule uses a code that its enumeration does not have.
    UnknownValue,
    /// A rule mixes kinds of values, such as a number where a condition is needed.
    Type,
    /// A rule refers to something it cannot use there (a member field at household level, an
    /// indicator listed later, a capital outside group rules).
    Reference,
    /// A table has a key the format does not know (often a typo).
    UnknownKey,
    /// A required key is missing.
    Missing,
    /// A value has the wrong type or is out of range.
    Invalid,
    /// An id is used twice.
    Duplicate,
    /// Weights do not sum to 1 (within 1e-9), or a dimension's indicator weights do not fill it.
    Weights,
    /// An indicator names no dimension, or one that does not exist.
    NoDimension,
    /// `k` is outside (0, 1].
    K,
}

/// A refused methodology file: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct MethodologyError {
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The kind of problem.
    pub kind: MethodologyErrorKind,
    /// What is wrong, for a person to read.
    pub message: String,
}

impl Methodology {
    /// The text of the shipped default methodology file (`thanrak-default-1`).
    pub fn default_file() -> &'static str {
        DEFAULT_FILE
    }

    /// The shipped default methodology, parsed once.
    pub fn thanrak_default() -> &'static Methodology {
        static DEFAULT: OnceLock<Methodology> = OnceLock::new();
        DEFAULT.get_or_init(|| {
            Methodology::parse(DEFAULT_FILE).expect("the shipped methodology file is valid")
        })
    }

    /// Every shipped methodology, parsed once, in the order of [`SHIPPED_FILES`].
    pub fn shipped() -> &'static [Methodology] {
        static ALL: OnceLock<Vec<Methodology>> = OnceLock::new();
        ALL.get_or_init(|| {
            SHIPPED_FILES
                .iter()
                .map(|(id, text)| {
                    let m = Methodology::parse(text).expect("a shipped methodology file is valid");
                    assert_eq!(m.id(), *id, "a shipped file's id is its name");
                    m
                })
                .collect()
        })
    }

    /// The text of a shipped methodology file by id.
    pub fn shipped_file(id: &str) -> Option<&'static str> {
        SHIPPED_FILES
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, t)| *t)
    }

    /// Parses, checks and compiles a methodology file.
    pub fn parse(text: &str) -> Result<Methodology, MethodologyError> {
        parse::methodology(text)
    }

    /// The file's title, if it has one.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// When a household is target poor (TPMAP); by default `score > 0`.
    pub fn target_poor_rule(&self) -> &Rule {
        &self.target_poor
    }

    /// The needs of §5, in the file's order (a household's needs are bits in this order).
    pub fn needs(&self) -> &[Need] {
        &self.needs
    }

    /// The index of a need by id.
    pub fn need_index(&self, id: &str) -> Option<usize> {
        self.needs.iter().position(|n| n.id == id)
    }

    /// The methodology's id, such as `thanrak-default-1`; results record it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The version of the file; results record it.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The income line, baht per person per year.
    pub fn line(&self) -> f64 {
        self.line
    }

    /// The poverty cut-off: MPI-poor when c ≥ k.
    pub fn k(&self) -> Ratio {
        self.k
    }

    /// The capable-worker rule (about one member).
    pub fn capable_worker(&self) -> &Rule {
        &self.capable_worker
    }

    /// The dimensions, in file order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The indicators, in file order (the order of every deprivation vector).
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The index of an indicator by id.
    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }

    /// The capital criteria, in file order (the order of every criteria bit set).
    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    /// The index of a criterion by its code, such as `human.capable_worker`.
    pub fn criterion_index(&self, code: &str) -> Option<usize> {
        self.criteria.iter().position(|c| c.code == code)
    }

    /// The group rules, in the order they are tried.
    pub fn group_rules(&self) -> &[GroupRule] {
        &self.group_rules
    }

    /// The common denominator D of the indicator weights: each weight is an integer over D.
    pub fn denominator(&self) -> u64 {
        self.denominator
    }

    /// Each indicator's weight as an integer over [`Methodology::denominator`].
    pub fn integer_weights(&self) -> &[u64] {
        &self.int_weights
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_loads() {
        let m = Methodology::thanrak_default();
        assert_eq!(m.id(), "thanrak-default-1");
        assert_eq!(m.indicators().len(), 16);
        assert_eq!(m.criteria().len(), 19);
        assert_eq!(m.denominator(), 60);
        assert_eq!(m.k(), Ratio::new(1, 3).unwrap());
        assert_eq!(m.line(), 38000.0);
        let w: Vec<String> = m
            .indicators()
            .iter()
            .map(|i| i.weight.to_string())
            .collect();
        assert_eq!(
            w.join(" "),
            "1/10 1/10 1/20 1/20 1/20 1/20 1/20 1/20 1/20 1/20 1/15 1/15 1/15 1/15 1/15 1/15"
        );
        assert_eq!(
            m.group_rules().iter().map(|r| r.group).collect::<Vec<_>>(),
            Group::ALL
        );
    }
}
