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
mod ratio;

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub(crate) use compile::{hflag, hnum, mflag, Env, HouseholdRow, MemberRow, Pred};
use compile::{CompileErrorKind, Phase, Quantifier, Scope};
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

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $code:literal / $th:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $(#[doc = $en] $var),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$var),+];
            /// Every code, in order.
            pub const CODES: &'static [&'static str] = &[$($code),+];
            /// The stable code used in files and the API.
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $code),+ } }
            /// The Thai label shown to users.
            pub fn label_th(self) -> &'static str { match self { $($name::$var => $th),+ } }
            /// The English label.
            pub fn label_en(self) -> &'static str { match self { $($name::$var => $en),+ } }
            /// Parses a code.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.as_str() == s.trim())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

labelled_enum!(
    /// The four household groups of methodology §4, from the worst off.
    Group {
        Hardship = "hardship" / "อยู่ลำบาก" / "Hardship",
        Struggling = "struggling" / "อยู่ยาก" / "Struggling",
        GettingBy = "getting_by" / "อยู่พอได้" / "Getting by",
        DoingWell = "doing_well" / "อยู่ดี" / "Doing well",
    }
);

labelled_enum!(
    /// The five livelihood capitals of methodology §3, in the order of every capital array.
    Capital {
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

/// The `[[need]]` tables: `id`, labels, `agencies` (a list of codes), `scope`, `among`, `when`.
fn parse_needs(
    root: &Tbl<'_, '_>,
    doc: &Doc<'_>,
    ind_names: &[String],
    capital_ids: &[&'static str],
    dim_masks: &[(String, u64)],
    line: f64,
) -> Res<Vec<Need>> {
    let tables = root.tables("need", "a [[need]]")?;
    if tables.len() > MAX_INDICATORS {
        return Err(tables[MAX_INDICATORS].err(
            &tables[MAX_INDICATORS].span,
            Kind::Invalid,
            format!("at most {MAX_INDICATORS} needs"),
        ));
    }
    let mut ids = Ids::new(doc, "need");
    let mut needs = Vec::new();
    for t in &tables {
        let (nid, span) = t.id("id")?;
        ids.add(nid, &span)?;
        let t = t.named(format!("need `{nid}`"));
        t.allow(&[
            "id", "label_th", "label_en", "agencies", "scope", "among", "when",
        ])?;
        let agencies = match t.get("agencies") {
            None => Vec::new(),
            Some(v) => {
                let bad = || {
                    t.err(
                        &v.span(),
                        Kind::Invalid,
                        "`agencies` must be a list of agency codes such as [\"codi\", \"osmep\"]",
                    )
                };
                let DeValue::Array(items) = v.get_ref() else {
                    return Err(bad());
                };
                items
                    .iter()
                    .map(|i| match i.get_ref() {
                        DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                        _ => Err(bad()),
                    })
                    .collect::<Res<Vec<String>>>()?
            }
        };
        let scope = Scope {
            member: false,
            phase: Phase::Needs,
            indicators: ind_names,
            visible_indicators: ind_names.len(),
            capitals: capital_ids,
            dimensions: dim_masks,
            line,
        };
        let rule = t.rule(&scope)?;
        needs.push(Need {
            id: nid.to_string(),
            label_th: t.label("label_th", nid)?,
            label_en: t.label("label_en", nid)?,
            agencies,
            rule,
        });
    }
    Ok(needs)
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

type Res<T> = Result<T, MethodologyError>;
type Kind = MethodologyErrorKind;

struct Doc<'a> {
    text: &'a str,
}

impl Doc<'_> {
    fn error(&self, at: usize, kind: Kind, message: impl Into<String>) -> MethodologyError {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        MethodologyError {
            line,
            column: before[line_start..].chars().count() + 1,
            kind,
            message: message.into(),
        }
    }

    fn line_of(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].matches('\n').count() + 1
    }

    /// Where the text of a string value starts in the file, when it can be mapped character for
    /// character (no escapes); otherwise `None`.
    fn string_base(&self, span: &Range<usize>, content: &str) -> Option<usize> {
        let raw = self.text.get(span.clone())?;
        for q in ["\"\"\"", "'''", "\"", "'"] {
            if let Some(mut rest) = raw.strip_prefix(q) {
                let mut base = span.start + q.len();
                if q.len() == 3 {
                    for nl in ["\r\n", "\n"] {
                        if let Some(r) = rest.strip_prefix(nl) {
                            rest = r;
                            base += nl.len();
                            break;
                        }
                    }
                }
                return rest.starts_with(content).then_some(base);
            }
        }
        None
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

/// A table of the file with its location and a description for messages.
struct Tbl<'a, 'i> {
    doc: &'a Doc<'a>,
    t: &'a DeTable<'i>,
    span: Range<usize>,
    what: String,
}

fn type_of(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Tbl<'a, 'i> {
    fn err(&self, span: &Range<usize>, kind: Kind, message: impl Into<String>) -> MethodologyError {
        self.doc.error(span.start, kind, message)
    }

    fn named(&self, what: String) -> Tbl<'a, 'i> {
        Tbl {
            doc: self.doc,
            t: self.t,
            span: self.span.clone(),
            what,
        }
    }

    fn allow(&self, keys: &[&str]) -> Res<()> {
        for (k, _) in self.t.iter() {
            let name: &str = k.get_ref();
            if !keys.contains(&name) {
                return Err(self.err(
                    &k.span(),
                    Kind::UnknownKey,
                    format!(
                        "unknown key `{name}` in {}: one of {}",
                        self.what,
                        keys.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.t.get(key)
    }

    fn missing(&self, key: &str) -> MethodologyError {
        self.err(
            &self.span,
            Kind::Missing,
            format!("{} has no `{key}`", self.what),
        )
    }

    fn string(&self, key: &str) -> Res<Option<(&'a str, Range<usize>)>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Ok(Some((s.as_ref(), v.span()))),
                other => Err(self.err(
                    &v.span(),
                    Kind::Invalid,
                    format!("`{key}` must be text, not {}", type_of(other)),
                )),
            },
        }
    }

    fn req_string(&self, key: &str) -> Res<(&'a str, Range<usize>)> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    /// An id usable inside rules: letters, digits and `_`, starting with a letter.
    fn id(&self, key: &str) -> Res<(&'a str, Range<usize>)> {
        let (s, span) = self.req_string(key)?;
        let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(self.err(
                &span,
                Kind::Invalid,
                format!("`{s}` is not a valid id: use lowercase letters, digits and `_`"),
            ));
        }
        Ok((s, span))
    }

    fn label(&self, key: &str, default: &str) -> Res<String> {
        Ok(self.string(key)?.map_or(default, |(s, _)| s).to_string())
    }

    /// A rational: an integer, a decimal or a string such as `"1/3"`.
    fn ratio(&self, key: &str) -> Res<Option<(Ratio, Range<usize>)>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let parsed = match v.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => Ratio::parse(i.as_str()),
            DeValue::Float(f) => Ratio::parse(f.as_str()),
            DeValue::String(s) => Ratio::parse(s),
            _ => None,
        };
        parsed.map(|r| Some((r, v.span()))).ok_or_else(|| {
            self.err(
                &v.span(),
                Kind::Invalid,
                format!("`{key}` must be a number or a fraction such as \"1/3\""),
            )
        })
    }

    fn number(&self, key: &str) -> Res<Option<(f64, Range<usize>)>> {
        Ok(self.ratio(key)?.map(|(r, s)| (r.to_f64(), s)))
    }

    fn table(&self, key: &str) -> Res<Option<Tbl<'a, 'i>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => Ok(Some(Tbl {
                    doc: self.doc,
                    t,
                    span: v.span(),
                    what: format!("[{key}]"),
                })),
                other => Err(self.err(
                    &v.span(),
                    Kind::Invalid,
                    format!("`{key}` must be a table, not {}", type_of(other)),
                )),
            },
        }
    }

    fn tables(&self, key: &str, what: &str) -> Res<Vec<Tbl<'a, 'i>>> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.err(
                &v.span(),
                Kind::Invalid,
                format!("`{key}` must be a list of tables ([[{key}]])"),
            ));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(t) => Ok(Tbl {
                    doc: self.doc,
                    t,
                    span: item.span(),
                    what: what.to_string(),
                }),
                other => Err(self.err(
                    &item.span(),
                    Kind::Invalid,
                    format!("each `{key}` must be a table, not {}", type_of(other)),
                )),
            })
            .collect()
    }

    /// Compiles the rule text at `key`; `None` when absent.
    fn condition(&self, key: &str, scope: &Scope) -> Res<Option<(String, compile::Compiled)>> {
        let Some((text, span)) = self.string(key)? else {
            return Ok(None);
        };
        let base = self.doc.string_base(&span, text);
        let at = |offset: usize| base.map_or(span.start, |b| b + offset);
        let node = expr::parse(text).map_err(|e| {
            self.doc.error(
                at(e.at),
                Kind::Syntax,
                format!("syntax error in `{key}` of {}: {}", self.what, e.message),
            )
        })?;
        let compiled = compile::compile_condition(&node, scope).map_err(|e| {
            let kind = match e.kind {
                CompileErrorKind::UnknownField => Kind::UnknownField,
                CompileErrorKind::UnknownValue => Kind::UnknownValue,
                CompileErrorKind::Type => Kind::Type,
                CompileErrorKind::Reference => Kind::Reference,
            };
            self.doc.error(
                at(e.span.start),
                kind,
                format!("in `{key}` of {}: {}", self.what, e.message),
            )
        })?;
        Ok(Some((text.to_string(), compiled)))
    }

    /// A rule given by `scope`, `among` and `when`.
    fn rule(&self, scope: &Scope) -> Res<Rule> {
        let rule_scope = match self.string("scope")? {
            None => RuleScope::Household,
            Some((s, span)) => match s {
                "household" => RuleScope::Household,
                "any_member" => RuleScope::AnyMember,
                "every_member" => RuleScope::EveryMember,
                "no_member" | "none_member" => RuleScope::NoMember,
                _ => {
                    return Err(self.err(
                        &span,
                        Kind::Invalid,
                        format!(
                            "unknown scope `{s}`: one of household, any_member, every_member, no_member"
                        ),
                    ))
                }
            },
        };
        let member_scope = Scope {
            member: rule_scope != RuleScope::Household,
            ..*scope
        };
        let (when, compiled) = self
            .condition("when", &member_scope)?
            .ok_or_else(|| self.missing("when"))?;
        let among = self.condition("among", &member_scope)?;
        let (among_text, among) = match among {
            Some((t, c)) => (Some(t), Some(c.cond)),
            None => (None, None),
        };
        let pred = match rule_scope {
            // Files cannot ask for it: the capable-worker rule is built elsewhere.
            RuleScope::Member | RuleScope::Household => {
                if let Some(v) = self.get("among") {
                    return Err(self.err(
                        &v.span(),
                        Kind::Invalid,
                        "`among` narrows a member scope: set scope = \"any_member\", \"every_member\" or \"no_member\"",
                    ));
                }
                compiled.cond.into_pred()
            }
            RuleScope::AnyMember => compile::member_rule(Quantifier::Any, among, compiled.cond),
            RuleScope::NoMember => compile::member_rule(Quantifier::No, among, compiled.cond),
            RuleScope::EveryMember => compile::member_rule(Quantifier::Every, among, compiled.cond),
        };
        Ok(Rule {
            scope: rule_scope,
            among: among_text,
            when,
            pred,
        })
    }
}

/// Remembers ids and refuses the second use of one.
struct Ids<'d> {
    doc: &'d Doc<'d>,
    seen: HashMap<String, usize>,
    what: &'static str,
}

impl<'d> Ids<'d> {
    fn new(doc: &'d Doc<'d>, what: &'static str) -> Self {
        Ids {
            doc,
            seen: HashMap::new(),
            what,
        }
    }

    fn add(&mut self, id: &str, span: &Range<usize>) -> Res<()> {
        if let Some(first) = self.seen.get(id) {
            return Err(self.doc.error(
                span.start,
                Kind::Duplicate,
                format!(
                    "duplicate {} id `{id}` (first defined on line {})",
                    self.what,
                    self.doc.line_of(*first)
                ),
            ));
        }
        self.seen.insert(id.to_string(), span.start);
        Ok(())
    }
}

const TOLERANCE: f64 = 1e-9;

/// Fills in missing weights: the parts without one share what `total` leaves equally.
/// Returns the weights, or a message when they cannot sum to `total`.
fn split_weights(total: Ratio, given: &[Option<Ratio>]) -> Result<Vec<Ratio>, String> {
    let overflow = || "the weights are too fine to add up exactly".to_string();
    let mut sum = Ratio::ZERO;
    for w in given.iter().flatten() {
        sum = sum.checked_add(*w).ok_or_else(overflow)?;
    }
    let missing = given.iter().filter(|w| w.is_none()).count();
    let rest = total.checked_sub(sum).ok_or_else(overflow)?;
    if missing == 0 {
        if (rest.to_f64()).abs() > TOLERANCE {
            return Err(format!(
                "the weights sum to {sum} ({}), not {total}",
                sum.to_f64()
            ));
        }
        return Ok(given.iter().flatten().copied().collect());
    }
    if rest.to_f64() <= TOLERANCE {
        return Err(format!(
            "the given weights sum to {sum}, which leaves nothing of {total} for the {missing} without one"
        ));
    }
    let share = rest.checked_div_int(missing as i64).ok_or_else(overflow)?;
    Ok(given.iter().map(|w| w.unwrap_or(share)).collect())
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
        let doc = Doc { text };
        let root = DeTable::parse(text).map_err(|e| {
            doc.error(
                e.span().map_or(0, |s| s.start),
                Kind::Toml,
                format!("not valid TOML: {}", e.message().trim_end()),
            )
        })?;
        let root = Tbl {
            doc: &doc,
            t: root.get_ref(),
            span: 0..0,
            what: "the file".into(),
        };
        root.allow(&[
            "id",
            "version",
            "title",
            "line",
            "k",
            "capable_worker",
            "dimension",
            "indicator",
            "capital",
            "group_rule",
            "target_poor",
            "need",
        ])?;

        let (id, _) = root.req_string("id")?;
        let version = match root.get("version") {
            None => return Err(root.missing("version")),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Integer(i) => i.as_str().to_string(),
                DeValue::Float(f) => f.as_str().to_string(),
                other => {
                    return Err(root.err(
                        &v.span(),
                        Kind::Invalid,
                        format!("`version` must be text or a number, not {}", type_of(other)),
                    ))
                }
            },
        };
        let (line, line_span) = root.number("line")?.ok_or_else(|| root.missing("line"))?;
        if !(line.is_finite() && line > 0.0) {
            return Err(root.err(
                &line_span,
                Kind::Invalid,
                "the income `line` must be positive",
            ));
        }
        let (k, k_span) = root.ratio("k")?.ok_or_else(|| root.missing("k"))?;
        if k.numer() <= 0 || k > Ratio::ONE {
            return Err(root.err(
                &k_span,
                Kind::K,
                format!(
                    "k = {k} is outside (0, 1]: the cut-off is a share of the weighted indicators"
                ),
            ));
        }

        // Dimensions.
        let dim_tables = root.tables("dimension", "a [[dimension]]")?;
        if dim_tables.is_empty() {
            return Err(root.missing("dimension"));
        }
        let mut dim_ids = Ids::new(&doc, "dimension");
        let mut dims = Vec::new();
        let mut dim_weights = Vec::new();
        for t in &dim_tables {
            t.allow(&["id", "label_th", "label_en", "weight"])?;
            let (did, span) = t.id("id")?;
            dim_ids.add(did, &span)?;
            let w = t.ratio("weight")?;
            if let Some((w, span)) = &w {
                if w.numer() <= 0 {
                    return Err(t.err(
                        span,
                        Kind::Weights,
                        format!("the weight of `{did}` must be positive"),
                    ));
                }
            }
            dim_weights.push(w.map(|(w, _)| w));
            dims.push(Dimension {
                id: did.to_string(),
                label_th: t.label("label_th", did)?,
                label_en: t.label("label_en", did)?,
                weight: Ratio::ZERO,
                indicators: Vec::new(),
            });
        }
        let first_dim = &dim_tables[0];
        let dim_weight_span = first_dim
            .get("weight")
            .map_or(first_dim.span.clone(), |v| v.span());
        let weights = split_weights(Ratio::ONE, &dim_weights).map_err(|m| {
            first_dim.err(&dim_weight_span, Kind::Weights, format!("dimensions: {m}"))
        })?;
        for (d, w) in dims.iter_mut().zip(weights) {
            d.weight = w;
        }

        // The capable-worker rule.
        let no_indicators: Vec<String> = Vec::new();
        let member_scope = Scope {
            member: true,
            phase: Phase::CapableWorker,
            indicators: &no_indicators,
            visible_indicators: 0,
            capitals: &[],
            dimensions: &[],
            line,
        };
        let cw = root
            .table("capable_worker")?
            .ok_or_else(|| root.missing("capable_worker"))?;
        cw.allow(&["when", "label_th", "label_en"])?;
        let (cw_text, cw_rule) = cw
            .condition("when", &member_scope)?
            .ok_or_else(|| cw.missing("when"))?;
        let capable_worker = Rule {
            scope: RuleScope::Member,
            among: None,
            when: cw_text,
            pred: cw_rule.cond.into_pred(),
        };

        // Indicators.
        let ind_tables = root.tables("indicator", "an [[indicator]]")?;
        if ind_tables.is_empty() {
            return Err(root.missing("indicator"));
        }
        if ind_tables.len() > MAX_INDICATORS {
            return Err(ind_tables[MAX_INDICATORS].err(
                &ind_tables[MAX_INDICATORS].span,
                Kind::Invalid,
                format!("at most {MAX_INDICATORS} indicators"),
            ));
        }
        let mut ind_ids = Ids::new(&doc, "indicator");
        let mut ind_names: Vec<String> = Vec::new();
        for t in &ind_tables {
            let (iid, span) = t.id("id")?;
            ind_ids.add(iid, &span)?;
            ind_names.push(iid.to_string());
        }
        let mut indicators = Vec::new();
        let mut given_weights: Vec<Option<Ratio>> = Vec::new();
        for (i, t) in ind_tables.iter().enumerate() {
            let t = t.named(format!("indicator `{}`", ind_names[i]));
            t.allow(&[
                "id",
                "dimension",
                "label_th",
                "label_en",
                "short_th",
                "short_en",
                "weight",
                "scope",
                "among",
                "when",
            ])?;
            let iid = &ind_names[i];
            let dimension = match t.string("dimension")? {
                None => {
                    return Err(t.err(
                        &t.get("id").map_or(t.span.clone(), |v| v.span()),
                        Kind::NoDimension,
                        format!(
                            "indicator `{iid}` is in no dimension: add dimension = one of {}",
                            dims.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    ))
                }
                Some((d, span)) => dims.iter().position(|x| x.id == d).ok_or_else(|| {
                    t.err(
                        &span,
                        Kind::NoDimension,
                        format!(
                            "indicator `{iid}` names dimension `{d}`, which does not exist: one of {}",
                            dims.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?,
            };
            let w = t.ratio("weight")?;
            if let Some((w, span)) = &w {
                if w.numer() <= 0 {
                    return Err(t.err(
                        span,
                        Kind::Weights,
                        format!("the weight of `{iid}` must be positive"),
                    ));
                }
            }
            given_weights.push(w.map(|(w, _)| w));
            let scope = Scope {
                member: false,
                phase: Phase::Indicators,
                indicators: &ind_names,
                visible_indicators: i,
                capitals: &[],
                dimensions: &[],
                line,
            };
            let rule = t.rule(&scope)?;
            dims[dimension].indicators.push(i);
            let label_th = t.label("label_th", iid)?;
            let label_en = t.label("label_en", iid)?;
            indicators.push(Indicator {
                id: iid.clone(),
                short_th: t.label("short_th", &label_th)?,
                short_en: t.label("short_en", &label_en)?,
                label_th,
                label_en,
                dimension,
                weight: Ratio::ZERO,
                rule,
            });
        }
        for (di, d) in dims.iter().enumerate() {
            let t = &dim_tables[di];
            if d.indicators.is_empty() {
                return Err(t.err(
                    &t.get("id").map_or(t.span.clone(), |v| v.span()),
                    Kind::Weights,
                    format!(
                        "dimension `{}` has no indicator, so its weight would be lost",
                        d.id
                    ),
                ));
            }
            let given: Vec<Option<Ratio>> =
                d.indicators.iter().map(|&i| given_weights[i]).collect();
            let weights = split_weights(d.weight, &given).map_err(|m| {
                let first = &ind_tables[d.indicators[0]];
                let span = d
                    .indicators
                    .iter()
                    .find_map(|&i| ind_tables[i].get("weight"))
                    .map_or(first.span.clone(), |v| v.span());
                t.err(
                    &span,
                    Kind::Weights,
                    format!("indicators of dimension `{}`: {m}", d.id),
                )
            })?;
            for (&i, w) in d.indicators.iter().zip(weights) {
                indicators[i].weight = w;
            }
        }
        let denominators: Vec<u64> = indicators.iter().map(|i| i.weight.denom() as u64).collect();
        let denominator = lcm(denominators).ok_or_else(|| {
            root.err(
                &(0..0),
                Kind::Weights,
                "the weights' common denominator is too large",
            )
        })?;
        let int_weights: Vec<u64> = indicators
            .iter()
            .map(|i| i.weight.numer() as u64 * (denominator / i.weight.denom() as u64))
            .collect();

        let dim_masks: Vec<(String, u64)> = dims
            .iter()
            .map(|d| (d.id.clone(), d.indicators.iter().map(|&i| 1u64 << i).sum()))
            .collect();

        // Capitals and their criteria.
        let capital_ids: Vec<&'static str> = Capital::ALL.iter().map(|c| c.as_str()).collect();
        let cap_tables = root.tables("capital", "a [[capital]]")?;
        let mut cap_ids = Ids::new(&doc, "capital");
        let mut criteria = Vec::new();
        for t in &cap_tables {
            t.allow(&["id", "label_th", "label_en", "criterion"])?;
            let (cid, span) = t.id("id")?;
            cap_ids.add(cid, &span)?;
            let capital = Capital::parse(cid).ok_or_else(|| {
                t.err(
                    &span,
                    Kind::Invalid,
                    format!("unknown capital `{cid}`: one of {}", capital_ids.join(", ")),
                )
            })?;
            let crit_tables = t.tables("criterion", "a [[capital.criterion]]")?;
            if crit_tables.is_empty() {
                return Err(t.err(
                    &span,
                    Kind::Missing,
                    format!("capital `{cid}` has no [[capital.criterion]]"),
                ));
            }
            let mut crit_ids = Ids::new(&doc, "criterion");
            for ct in &crit_tables {
                let (crid, span) = ct.id("id")?;
                crit_ids.add(crid, &span)?;
                let code = format!("{cid}.{crid}");
                let ct = ct.named(format!("criterion `{code}`"));
                ct.allow(&["id", "label_th", "label_en", "scope", "among", "when"])?;
                if criteria.len() == MAX_INDICATORS {
                    return Err(ct.err(
                        &span,
                        Kind::Invalid,
                        format!("at most {MAX_INDICATORS} criteria"),
                    ));
                }
                let scope = Scope {
                    member: false,
                    phase: Phase::Criteria,
                    indicators: &ind_names,
                    visible_indicators: ind_names.len(),
                    capitals: &capital_ids,
                    dimensions: &dim_masks,
                    line,
                };
                let rule = ct.rule(&scope)?;
                criteria.push(Criterion {
                    label_th: ct.label("label_th", &code)?,
                    label_en: ct.label("label_en", &code)?,
                    code,
                    capital,
                    rule,
                });
            }
        }
        for c in Capital::ALL {
            if !criteria.iter().any(|x| x.capital == c) {
                return Err(root.err(
                    &root.get("capital").map_or(0..0, |v| v.span()),
                    Kind::Missing,
                    format!(
                        "the file has no [[capital]] with id = \"{c}\" (each of {} is needed)",
                        capital_ids.join(", ")
                    ),
                ));
            }
        }

        // Group rules.
        let rule_tables = root.tables("group_rule", "a [[group_rule]]")?;
        if rule_tables.is_empty() {
            return Err(root.missing("group_rule"));
        }
        let mut rule_ids = Ids::new(&doc, "group rule");
        let mut group_rules = Vec::new();
        for (i, t) in rule_tables.iter().enumerate() {
            let (rid, span) = t.id("id")?;
            rule_ids.add(rid, &span)?;
            let t = t.named(format!("group rule `{rid}`"));
            t.allow(&["id", "group", "label_th", "label_en", "when"])?;
            let (g, gspan) = t.req_string("group")?;
            let group = Group::parse(g).ok_or_else(|| {
                t.err(
                    &gspan,
                    Kind::Invalid,
                    format!(
                        "unknown group `{g}`: one of {}",
                        Group::ALL.map(Group::as_str).join(", ")
                    ),
                )
            })?;
            let scope = Scope {
                member: false,
                phase: Phase::Groups,
                indicators: &ind_names,
                visible_indicators: ind_names.len(),
                capitals: &capital_ids,
                dimensions: &dim_masks,
                line,
            };
            let (when, compiled) = t.condition("when", &scope)?.unwrap_or_else(|| {
                (
                    "true".to_string(),
                    compile::compile_condition(
                        &expr::parse("true").expect("`true` parses"),
                        &scope,
                    )
                    .expect("`true` compiles"),
                )
            });
            let last = i + 1 == rule_tables.len();
            if compiled.always != last {
                let at = t.get("when").map_or(span.clone(), |v| v.span());
                return Err(t.err(
                    &at,
                    Kind::Invalid,
                    if last {
                        format!("the last group rule (`{rid}`) must hold for every household: omit `when`")
                    } else {
                        format!("group rule `{rid}` always holds, so the rules after it would never apply")
                    },
                ));
            }
            group_rules.push(GroupRule {
                id: rid.to_string(),
                group,
                label_th: t.label("label_th", rid)?,
                label_en: t.label("label_en", rid)?,
                rule: Rule {
                    scope: RuleScope::Household,
                    among: None,
                    when,
                    pred: compiled.cond.into_pred(),
                },
            });
        }

        // The target-poor rule (TPMAP): by default, deprived in at least one indicator.
        let tp_scope = Scope {
            member: false,
            phase: Phase::Criteria,
            indicators: &ind_names,
            visible_indicators: ind_names.len(),
            capitals: &capital_ids,
            dimensions: &dim_masks,
            line,
        };
        let (tp_text, tp) = match root.condition("target_poor", &tp_scope)? {
            Some(c) => c,
            None => (
                DEFAULT_TARGET_POOR.to_string(),
                compile::compile_condition(
                    &expr::parse(DEFAULT_TARGET_POOR).expect("the default rule parses"),
                    &tp_scope,
                )
                .expect("the default rule compiles"),
            ),
        };
        let target_poor = Rule {
            scope: RuleScope::Household,
            among: None,
            when: tp_text,
            pred: tp.cond.into_pred(),
        };

        let needs = parse_needs(&root, &doc, &ind_names, &capital_ids, &dim_masks, line)?;

        Ok(Methodology {
            id: id.to_string(),
            version,
            title: root.string("title")?.map(|(s, _)| s.to_string()),
            line,
            k,
            capable_worker,
            dimensions: dims,
            indicators,
            criteria,
            group_rules,
            target_poor,
            needs,
            denominator,
            int_weights,
        })
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

    #[test]
    fn weights_split_and_check() {
        let r = |s: &str| Ratio::parse(s).unwrap();
        assert_eq!(
            split_weights(r("1/5"), &[None, None]).unwrap(),
            vec![r("1/10"), r("1/10")]
        );
        assert_eq!(
            split_weights(r("1/5"), &[Some(r("1/20")), None, None]).unwrap(),
            vec![r("1/20"), r("3/40"), r("3/40")]
        );
        assert!(split_weights(r("1/5"), &[Some(r("1/5")), None]).is_err());
        assert!(split_weights(Ratio::ONE, &[Some(r("0.5")), Some(r("0.4"))]).is_err());
        assert!(split_weights(
            Ratio::ONE,
            &[
                Some(r("0.3333333333")),
                Some(r("0.3333333333")),
                Some(r("0.3333333334"))
            ]
        )
        .is_ok());
    }
}
