//! Typed compilation of rules into closure trees over compact household and member rows.
//!
//! A rule is parsed and type-checked once, when the methodology file is loaded; scoring then only
//! calls closures that read fixed slots of [`HouseholdRow`] and [`MemberRow`]. Comparisons of a
//! field with a constant, the most common shape, become a single closure.

use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDate;

use super::expr::{ArOp, Ast, CmpOp, Node};
use super::Group;
use crate::household::{
    Education, HousingCondition, HousingTenure, LandTenure, Occupation, Relation, Sex, Skill,
};
use crate::{Household, Member};

// ---------------------------------------------------------------------------------------------
// Runtime rows

/// Numeric slots of a household row.
pub(crate) mod hnum {
    pub const FARM_LAND_RAI: usize = 0;
    pub const SAVINGS: usize = 1;
    pub const DEBT_FORMAL: usize = 2;
    pub const DEBT_INFORMAL: usize = 3;
    pub const TRANSFERS: usize = 4;
    pub const GROUP_MEMBERSHIPS: usize = 5;
    pub const N: usize = 6;
    pub const INCOME_TOTAL: usize = 7;
    pub const INCOME_PC: usize = 8;
    pub const CAPABLE_WORKERS: usize = 9;
    /// Derived after the capitals: the mean of the five capital shares, from whole counts.
    pub const CAPITAL_MEAN: usize = 10;
    pub const LEN: usize = 11;
}

/// Flag bits of a household row.
pub(crate) mod hflag {
    pub const DRINKING_WATER_OK: u32 = 1 << 0;
    pub const WATER_USE_OK: u32 = 1 << 1;
    pub const ELECTRICITY: u32 = 1 << 2;
    pub const SANITARY_TOILET: u32 = 1 << 3;
    pub const NATURAL_RESOURCE_USE: u32 = 1 << 4;
    pub const DISASTER_RISK: u32 = 1 << 5;
    pub const RECEIVES_COMMUNITY_HELP: u32 = 1 << 6;
    /// Derived after the score: the methodology's target-poor rule holds.
    pub const TARGET_POOR: u32 = 1 << 7;
    /// Area context: the household's subdistrict has a community-based tourism group. Set by
    /// the caller that knows the area (see `Context`); unset, it is 0.
    pub const CBT_IN_SUBDISTRICT: u32 = 1 << 8;
    /// Area context: the household's subdistrict is a strategic area (§6).
    pub const STRATEGIC_AREA: u32 = 1 << 9;
}

/// Numeric slots of a member row.
pub(crate) mod mnum {
    pub const AGE: usize = 0;
    pub const INCOME: usize = 1;
    pub const MEMBER_NO: usize = 2;
    pub const LEN: usize = 3;
}

/// Flag bits of a member row.
pub(crate) mod mflag {
    pub const IN_SCHOOL: u32 = 1 << 0;
    pub const LITERATE: u32 = 1 << 1;
    pub const DISABILITY: u32 = 1 << 2;
    pub const CHRONIC_ILLNESS: u32 = 1 << 3;
    pub const DEPENDENT: u32 = 1 << 4;
    pub const RECEIVES_CARE: u32 = 1 << 5;
    pub const WELFARE_CARD: u32 = 1 << 6;
    pub const HEALTH_INSURANCE: u32 = 1 << 7;
    pub const CAN_WORK: u32 = 1 << 8;
    pub const WANTS_WORK: u32 = 1 << 9;
    /// Derived: the methodology's capable-worker rule holds.
    pub const CAPABLE_WORKER: u32 = 1 << 10;
}

/// The household's values as the rules read them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HouseholdRow {
    pub num: [f64; hnum::LEN],
    pub flags: u32,
    /// housing_tenure, housing_condition, land_tenure and, once groups are decided, group.
    pub enums: [u8; 4],
}

/// A member's values as the rules read them (age at the household's survey date).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MemberRow {
    pub num: [f64; mnum::LEN],
    pub flags: u32,
    /// sex, relation, education, occupation.
    pub enums: [u8; 4],
    pub skills: u16,
}

fn bit(b: bool, mask: u32) -> u32 {
    if b {
        mask
    } else {
        0
    }
}

impl HouseholdRow {
    /// The household's own fields; the derived slots are filled by the scorer.
    pub fn new(h: &Household) -> Self {
        let mut num = [0.0; hnum::LEN];
        num[hnum::FARM_LAND_RAI] = h.farm_land_rai;
        num[hnum::SAVINGS] = h.savings_thb;
        num[hnum::DEBT_FORMAL] = h.debt_formal_thb;
        num[hnum::DEBT_INFORMAL] = h.debt_informal_thb;
        num[hnum::TRANSFERS] = h.transfers_thb_year;
        num[hnum::GROUP_MEMBERSHIPS] = f64::from(h.group_memberships);
        let flags = bit(h.drinking_water_ok, hflag::DRINKING_WATER_OK)
            | bit(h.water_use_ok, hflag::WATER_USE_OK)
            | bit(h.electricity, hflag::ELECTRICITY)
            | bit(h.sanitary_toilet, hflag::SANITARY_TOILET)
            | bit(h.natural_resource_use, hflag::NATURAL_RESOURCE_USE)
            | bit(h.disaster_risk, hflag::DISASTER_RISK)
            | bit(h.receives_community_help, hflag::RECEIVES_COMMUNITY_HELP);
        HouseholdRow {
            num,
            flags,
            enums: [
                h.housing_tenure as u8,
                h.housing_condition as u8,
                h.land_tenure as u8,
                0,
            ],
        }
    }
}

impl MemberRow {
    /// A member's fields; an unknown age is NaN, so every comparison with it is false.
    pub fn new(m: &Member, survey_date: NaiveDate) -> Self {
        let mut num = [0.0; mnum::LEN];
        num[mnum::AGE] = m.age_at(survey_date).map_or(f64::NAN, f64::from);
        num[mnum::INCOME] = m.income_thb_year;
        num[mnum::MEMBER_NO] = f64::from(m.member_no);
        let flags = bit(m.in_school, mflag::IN_SCHOOL)
            | bit(m.literate, mflag::LITERATE)
            | bit(m.disability, mflag::DISABILITY)
            | bit(m.chronic_illness, mflag::CHRONIC_ILLNESS)
            | bit(m.dependent, mflag::DEPENDENT)
            | bit(m.receives_care, mflag::RECEIVES_CARE)
            | bit(m.welfare_card, mflag::WELFARE_CARD)
            | bit(m.health_insurance, mflag::HEALTH_INSURANCE)
            | bit(m.can_work, mflag::CAN_WORK)
            | bit(m.wants_work, mflag::WANTS_WORK);
        let skills = Skill::ALL
            .iter()
            .filter(|s| m.skills.contains(**s))
            .fold(0u16, |acc, s| acc | 1 << (*s as u16));
        MemberRow {
            num,
            flags,
            enums: [
                m.sex as u8,
                m.relation as u8,
                m.education as u8,
                m.occupation as u8,
            ],
            skills,
        }
    }
}

/// What a rule sees while a household is scored.
pub(crate) struct Env<'a> {
    pub hh: &'a HouseholdRow,
    pub members: &'a [MemberRow],
    pub deprived: u64,
    pub met: u64,
    pub capitals: [f64; 5],
    pub score: f64,
    pub mpi_poor: bool,
}

/// A compiled condition. Household-level rules ignore the member argument.
pub(crate) type Pred = Arc<dyn Fn(&Env, &MemberRow) -> bool + Send + Sync>;
type NumFn = Arc<dyn Fn(&Env, &MemberRow) -> f64 + Send + Sync>;
type EnumFn = Arc<dyn Fn(&Env, &MemberRow) -> u8 + Send + Sync>;

// ---------------------------------------------------------------------------------------------
// The catalogue of names

/// An enumeration the rules can compare with its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnumKind {
    HousingTenure,
    HousingCondition,
    LandTenure,
    Sex,
    Relation,
    Education,
    Occupation,
    Group,
}

impl EnumKind {
    fn codes(self) -> &'static [&'static str] {
        match self {
            EnumKind::HousingTenure => HousingTenure::CODES,
            EnumKind::HousingCondition => HousingCondition::CODES,
            EnumKind::LandTenure => LandTenure::CODES,
            EnumKind::Sex => Sex::CODES,
            EnumKind::Relation => Relation::CODES,
            EnumKind::Education => Education::CODES,
            EnumKind::Occupation => Occupation::CODES,
            EnumKind::Group => Group::CODES,
        }
    }

    fn name(self) -> &'static str {
        match self {
            EnumKind::HousingTenure => "housing_tenure",
            EnumKind::HousingCondition => "housing_condition",
            EnumKind::LandTenure => "land_tenure",
            EnumKind::Sex => "sex",
            EnumKind::Relation => "relation",
            EnumKind::Education => "education",
            EnumKind::Occupation => "occupation",
            EnumKind::Group => "group",
        }
    }

    /// Whether `<`, `>` and friends mean something (education levels are ordered).
    fn ordered(self) -> bool {
        self == EnumKind::Education
    }

    fn code(self, s: &str) -> Option<u8> {
        let codes = self.codes();
        codes
            .iter()
            .position(|c| *c == s)
            .or_else(|| codes.iter().position(|c| c.eq_ignore_ascii_case(s)))
            .map(|i| i as u8)
    }
}

/// Where a name's value lives.
#[derive(Debug, Clone, Copy)]
enum Slot {
    HhNum(usize),
    HhFlag(u32),
    HhEnum(usize, EnumKind),
    MemNum(usize),
    MemFlag(u32),
    MemEnum(usize, EnumKind),
    Line,
    Score,
    MpiPoor,
}

/// The stage of scoring a rule belongs to, which decides what it may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// The capable-worker rule (member level).
    CapableWorker,
    /// Indicators: may use `deprived(x)` of indicators listed before.
    Indicators,
    /// Capital criteria: may use every indicator, `score` and `mpi_poor`.
    Criteria,
    /// Group rules: may also use `capital(x)` and `capital_mean`.
    Groups,
    /// Needs (§5): may also use `group` and `target_poor`.
    Needs,
}

struct NameDef {
    name: &'static str,
    slot: Slot,
    /// The first phase where the value is known.
    from: Phase,
}

const fn def(name: &'static str, slot: Slot) -> NameDef {
    NameDef {
        name,
        slot,
        from: Phase::CapableWorker,
    }
}

const NAMES: &[NameDef] = &[
    // Household fields (methodology §1).
    def("housing_tenure", Slot::HhEnum(0, EnumKind::HousingTenure)),
    def(
        "housing_condition",
        Slot::HhEnum(1, EnumKind::HousingCondition),
    ),
    def("drinking_water_ok", Slot::HhFlag(hflag::DRINKING_WATER_OK)),
    def("water_use_ok", Slot::HhFlag(hflag::WATER_USE_OK)),
    def("electricity", Slot::HhFlag(hflag::ELECTRICITY)),
    def("sanitary_toilet", Slot::HhFlag(hflag::SANITARY_TOILET)),
    def("farm_land_rai", Slot::HhNum(hnum::FARM_LAND_RAI)),
    def("land_tenure", Slot::HhEnum(2, EnumKind::LandTenure)),
    def(
        "natural_resource_use",
        Slot::HhFlag(hflag::NATURAL_RESOURCE_USE),
    ),
    def("disaster_risk", Slot::HhFlag(hflag::DISASTER_RISK)),
    def("savings_thb", Slot::HhNum(hnum::SAVINGS)),
    def("debt_formal_thb", Slot::HhNum(hnum::DEBT_FORMAL)),
    def("debt_informal_thb", Slot::HhNum(hnum::DEBT_INFORMAL)),
    def("transfers_thb_year", Slot::HhNum(hnum::TRANSFERS)),
    def("group_memberships", Slot::HhNum(hnum::GROUP_MEMBERSHIPS)),
    def(
        "receives_community_help",
        Slot::HhFlag(hflag::RECEIVES_COMMUNITY_HELP),
    ),
    // Derived household values.
    def("n", Slot::HhNum(hnum::N)),
    def("income_total", Slot::HhNum(hnum::INCOME_TOTAL)),
    def("income_pc", Slot::HhNum(hnum::INCOME_PC)),
    def("line", Slot::Line),
    NameDef {
        name: "capable_workers",
        slot: Slot::HhNum(hnum::CAPABLE_WORKERS),
        from: Phase::Indicators,
    },
    NameDef {
        name: "score",
        slot: Slot::Score,
        from: Phase::Criteria,
    },
    NameDef {
        name: "mpi_poor",
        slot: Slot::MpiPoor,
        from: Phase::Criteria,
    },
    NameDef {
        name: "capital_mean",
        slot: Slot::HhNum(hnum::CAPITAL_MEAN),
        from: Phase::Groups,
    },
    NameDef {
        name: "group",
        slot: Slot::HhEnum(3, EnumKind::Group),
        from: Phase::Needs,
    },
    NameDef {
        name: "target_poor",
        slot: Slot::HhFlag(hflag::TARGET_POOR),
        from: Phase::Needs,
    },
    // Area context (0 until the area data that decides it is given).
    def(
        "cbt_in_subdistrict",
        Slot::HhFlag(hflag::CBT_IN_SUBDISTRICT),
    ),
    def("strategic_area", Slot::HhFlag(hflag::STRATEGIC_AREA)),
    // Member fields.
    def("member_no", Slot::MemNum(mnum::MEMBER_NO)),
    def("sex", Slot::MemEnum(0, EnumKind::Sex)),
    def("age", Slot::MemNum(mnum::AGE)),
    def("relation", Slot::MemEnum(1, EnumKind::Relation)),
    def("education", Slot::MemEnum(2, EnumKind::Education)),
    def("in_school", Slot::MemFlag(mflag::IN_SCHOOL)),
    def("literate", Slot::MemFlag(mflag::LITERATE)),
    def("occupation", Slot::MemEnum(3, EnumKind::Occupation)),
    def("income_thb_year", Slot::MemNum(mnum::INCOME)),
    def("disability", Slot::MemFlag(mflag::DISABILITY)),
    def("chronic_illness", Slot::MemFlag(mflag::CHRONIC_ILLNESS)),
    def("dependent", Slot::MemFlag(mflag::DEPENDENT)),
    def("receives_care", Slot::MemFlag(mflag::RECEIVES_CARE)),
    def("welfare_card", Slot::MemFlag(mflag::WELFARE_CARD)),
    def("health_insurance", Slot::MemFlag(mflag::HEALTH_INSURANCE)),
    def("can_work", Slot::MemFlag(mflag::CAN_WORK)),
    def("wants_work", Slot::MemFlag(mflag::WANTS_WORK)),
    NameDef {
        name: "capable_worker",
        slot: Slot::MemFlag(mflag::CAPABLE_WORKER),
        from: Phase::Indicators,
    },
];

const FUNCTIONS: &[&str] = &[
    "any_member",
    "every_member",
    "no_member",
    "count_members",
    "deprived",
    "deprived_in",
    "capital",
    "has_skill",
];

fn lookup(name: &str) -> Option<&'static NameDef> {
    NAMES.iter().find(|d| d.name == name)
}

/// The names a rule may use, for messages and documentation.
pub(crate) fn known_names() -> impl Iterator<Item = &'static str> {
    NAMES.iter().map(|d| d.name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// ` (did you mean `x`?)` when a known name is close.
fn suggestion<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Compilation

/// Why a rule does not compile, with the byte span of the offending text inside the rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompileError {
    pub span: Range<usize>,
    pub kind: CompileErrorKind,
    pub message: String,
}

/// The kinds of compile errors (mapped to public error kinds by the loader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompileErrorKind {
    UnknownField,
    UnknownValue,
    Type,
    Reference,
}

fn err<T>(
    span: &Range<usize>,
    kind: CompileErrorKind,
    message: impl Into<String>,
) -> Result<T, CompileError> {
    Err(CompileError {
        span: span.clone(),
        kind,
        message: message.into(),
    })
}

/// What a rule may refer to.
pub(crate) struct Scope<'a> {
    /// Whether the rule is evaluated for each member (member fields visible).
    pub member: bool,
    pub phase: Phase,
    /// Indicator ids, in order.
    pub indicators: &'a [String],
    /// How many of `indicators` the rule may use with `deprived(..)`.
    pub visible_indicators: usize,
    /// Capital ids, in the order of the result's capital array.
    pub capitals: &'a [&'static str],
    /// Dimension ids with the bits of their indicators, for `deprived_in(..)`.
    pub dimensions: &'a [(String, u64)],
    pub line: f64,
}

impl Scope<'_> {
    fn in_members(&self) -> Scope<'_> {
        Scope {
            member: true,
            ..*self
        }
    }
}

#[derive(Clone)]
enum NumC {
    Const(f64),
    Hh(usize),
    Mem(usize),
    Dyn(NumFn),
}

/// A simple comparison read straight from a row: the leaves that most rules are made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Atom {
    /// A member's number `<`, `<=`, `>`, `>=`, `==`, `!=` a constant (one variant per
    /// operator, so that evaluating an atom is a single dispatch).
    MemLt(u8, f64),
    MemLe(u8, f64),
    MemGt(u8, f64),
    MemGe(u8, f64),
    MemEq(u8, f64),
    MemNe(u8, f64),
    /// A household number compared with a constant.
    HhLt(u8, f64),
    HhLe(u8, f64),
    HhGt(u8, f64),
    HhGe(u8, f64),
    HhEq(u8, f64),
    HhNe(u8, f64),
    /// `member.flags & mask == want`.
    MemFlags(u32, u32),
    /// `household.flags & mask == want`.
    HhFlags(u32, u32),
    /// A member's enumeration value is in a set (bit per value).
    MemEnum(u8, u32),
    /// A household's enumeration value is in a set.
    HhEnum(u8, u32),
    /// Whether an indicator (bit) is deprived.
    Deprived(u64, bool),
}

/// The atom comparing a member's (or the household's) number slot `i` with `c`.
fn num_atom(member: bool, i: usize, op: CmpOp, c: f64) -> Atom {
    let i = i as u8;
    match (member, op) {
        (true, CmpOp::Lt) => Atom::MemLt(i, c),
        (true, CmpOp::Le) => Atom::MemLe(i, c),
        (true, CmpOp::Gt) => Atom::MemGt(i, c),
        (true, CmpOp::Ge) => Atom::MemGe(i, c),
        (true, CmpOp::Eq) => Atom::MemEq(i, c),
        (true, CmpOp::Ne) => Atom::MemNe(i, c),
        (false, CmpOp::Lt) => Atom::HhLt(i, c),
        (false, CmpOp::Le) => Atom::HhLe(i, c),
        (false, CmpOp::Gt) => Atom::HhGt(i, c),
        (false, CmpOp::Ge) => Atom::HhGe(i, c),
        (false, CmpOp::Eq) => Atom::HhEq(i, c),
        (false, CmpOp::Ne) => Atom::HhNe(i, c),
    }
}

impl Atom {
    #[inline(always)]
    fn eval(self, e: &Env, m: &MemberRow) -> bool {
        match self {
            Atom::MemLt(i, c) => m.num[i as usize] < c,
            Atom::MemLe(i, c) => m.num[i as usize] <= c,
            Atom::MemGt(i, c) => m.num[i as usize] > c,
            Atom::MemGe(i, c) => m.num[i as usize] >= c,
            Atom::MemEq(i, c) => m.num[i as usize] == c,
            Atom::MemNe(i, c) => m.num[i as usize] != c,
            Atom::HhLt(i, c) => e.hh.num[i as usize] < c,
            Atom::HhLe(i, c) => e.hh.num[i as usize] <= c,
            Atom::HhGt(i, c) => e.hh.num[i as usize] > c,
            Atom::HhGe(i, c) => e.hh.num[i as usize] >= c,
            Atom::HhEq(i, c) => e.hh.num[i as usize] == c,
            Atom::HhNe(i, c) => e.hh.num[i as usize] != c,
            Atom::MemFlags(mask, want) => m.flags & mask == want,
            Atom::HhFlags(mask, want) => e.hh.flags & mask == want,
            Atom::MemEnum(i, set) => set >> m.enums[i as usize] & 1 != 0,
            Atom::HhEnum(i, set) => set >> e.hh.enums[i as usize] & 1 != 0,
            Atom::Deprived(mask, want) => (e.deprived & mask != 0) == want,
        }
    }

    /// The opposite condition, when it is itself an atom. Comparisons of numbers are not
    /// negated: with an unknown age (NaN) both `age < 6` and `age >= 6` are false.
    fn negate(self) -> Option<Atom> {
        match self {
            Atom::MemFlags(mask, want) if mask.count_ones() == 1 => {
                Some(Atom::MemFlags(mask, want ^ mask))
            }
            Atom::HhFlags(mask, want) if mask.count_ones() == 1 => {
                Some(Atom::HhFlags(mask, want ^ mask))
            }
            Atom::MemEnum(i, set) => Some(Atom::MemEnum(i, !set)),
            Atom::HhEnum(i, set) => Some(Atom::HhEnum(i, !set)),
            Atom::Deprived(mask, want) => Some(Atom::Deprived(mask, !want)),
            _ => None,
        }
    }
}

#[inline(always)]
fn all_atoms(atoms: &[Atom], e: &Env, m: &MemberRow) -> bool {
    atoms.iter().all(|a| a.eval(e, m))
}

#[inline(always)]
fn any_atom(atoms: &[Atom], e: &Env, m: &MemberRow) -> bool {
    atoms.iter().any(|a| a.eval(e, m))
}

/// A compiled condition, kept structured until it is turned into a closure so that
/// conjunctions of atoms and quantifiers over them evaluate without dynamic calls.
#[derive(Clone)]
pub(crate) enum BoolC {
    Const(bool),
    /// All (`all`) or any of the atoms.
    Atoms {
        all: bool,
        atoms: Vec<Atom>,
    },
    Dyn(Pred),
}

#[derive(Clone, Copy)]
enum EnumC {
    Const(u8),
    Hh(usize),
    Mem(usize),
}

enum Val {
    Num(NumC),
    Bool(BoolC),
    Enum(EnumKind, EnumC),
}

impl Val {
    fn type_name(&self) -> String {
        match self {
            Val::Num(_) => "a number".into(),
            Val::Bool(_) => "a condition (0/1)".into(),
            Val::Enum(k, _) => format!("a value of {}", k.name()),
        }
    }
}

impl NumC {
    fn into_fn(self) -> NumFn {
        match self {
            NumC::Const(c) => Arc::new(move |_, _| c),
            NumC::Hh(i) => Arc::new(move |e, _| e.hh.num[i]),
            NumC::Mem(i) => Arc::new(move |_, m| m.num[i]),
            NumC::Dyn(f) => f,
        }
    }
}

fn atom(a: Atom) -> BoolC {
    BoolC::Atoms {
        all: true,
        atoms: vec![a],
    }
}

impl BoolC {
    /// The closure.
    pub(crate) fn into_pred(self) -> Pred {
        match self {
            BoolC::Const(c) => Arc::new(move |_, _| c),
            BoolC::Atoms { atoms, .. } if atoms.len() == 1 => {
                let a = atoms[0];
                Arc::new(move |e, m| a.eval(e, m))
            }
            BoolC::Atoms { all: true, atoms } => Arc::new(move |e, m| all_atoms(&atoms, e, m)),
            BoolC::Atoms { all: false, atoms } => Arc::new(move |e, m| any_atom(&atoms, e, m)),
            BoolC::Dyn(f) => f,
        }
    }

    /// The atoms of a conjunction (a single atom counts as one).
    fn conjunction(&self) -> Option<&[Atom]> {
        match self {
            BoolC::Atoms { all, atoms } if *all || atoms.len() == 1 => Some(atoms),
            _ => None,
        }
    }

    /// The atoms of a disjunction (a single atom counts as one).
    fn disjunction(&self) -> Option<&[Atom]> {
        match self {
            BoolC::Atoms { all, atoms } if !*all || atoms.len() == 1 => Some(atoms),
            _ => None,
        }
    }

    fn not(self) -> BoolC {
        match self {
            BoolC::Const(c) => BoolC::Const(!c),
            BoolC::Atoms { all, atoms } => {
                match atoms.iter().map(|a| a.negate()).collect::<Option<Vec<_>>>() {
                    // De Morgan: not (a and b) = not a or not b.
                    Some(negated) => BoolC::Atoms {
                        all: !all,
                        atoms: negated,
                    },
                    None => {
                        let p = BoolC::Atoms { all, atoms }.into_pred();
                        BoolC::Dyn(Arc::new(move |e, m| !p(e, m)))
                    }
                }
            }
            BoolC::Dyn(f) => BoolC::Dyn(Arc::new(move |e, m| !f(e, m))),
        }
    }
}

/// Merges flag atoms of a conjunction that test disjoint bits into one; `None` when two of
/// them contradict each other (the conjunction is false).
fn merge_flags(atoms: Vec<Atom>) -> Option<Vec<Atom>> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    for a in atoms {
        let merged = out.iter_mut().find_map(|b| match (a, *b) {
            (Atom::MemFlags(m1, w1), Atom::MemFlags(m2, w2)) => Some((b, m1, w1, m2, w2, true)),
            (Atom::HhFlags(m1, w1), Atom::HhFlags(m2, w2)) => Some((b, m1, w1, m2, w2, false)),
            _ => None,
        });
        match merged {
            Some((b, m1, w1, m2, w2, member)) => {
                let overlap = m1 & m2;
                if w1 & overlap != w2 & overlap {
                    return None;
                }
                *b = if member {
                    Atom::MemFlags(m1 | m2, w1 | w2)
                } else {
                    Atom::HhFlags(m1 | m2, w1 | w2)
                };
            }
            None => out.push(a),
        }
    }
    Some(out)
}

/// `a and b and …` (or `a or b or …`): constants fold, atoms gather into one flat list that is
/// tried first, and the remaining conditions follow in order.
pub(crate) fn combine(is_and: bool, items: Vec<BoolC>) -> BoolC {
    let mut atoms: Vec<Atom> = Vec::new();
    let mut preds: Vec<Pred> = Vec::new();
    for item in items {
        match item {
            // `true and x` is `x`; `false or x` is `x`; the other constants decide.
            BoolC::Const(c) if c == is_and => {}
            BoolC::Const(c) => return BoolC::Const(c),
            b => {
                let flat = if is_and {
                    b.conjunction()
                } else {
                    b.disjunction()
                };
                match flat {
                    Some(a) => atoms.extend_from_slice(a),
                    None => preds.push(b.into_pred()),
                }
            }
        }
    }
    if is_and {
        match merge_flags(atoms) {
            Some(merged) => atoms = merged,
            None => return BoolC::Const(false),
        }
    }
    if !atoms.is_empty() {
        let flat = BoolC::Atoms { all: is_and, atoms };
        if preds.is_empty() {
            return flat;
        }
        preds.insert(0, flat.into_pred());
    }
    match preds.len() {
        0 => BoolC::Const(is_and),
        1 => BoolC::Dyn(preds.pop().expect("one item")),
        2 => {
            let (a, b) = (preds[0].clone(), preds[1].clone());
            if is_and {
                BoolC::Dyn(Arc::new(move |e, m| a(e, m) && b(e, m)))
            } else {
                BoolC::Dyn(Arc::new(move |e, m| a(e, m) || b(e, m)))
            }
        }
        _ if is_and => BoolC::Dyn(Arc::new(move |e, m| preds.iter().all(|p| p(e, m)))),
        _ => BoolC::Dyn(Arc::new(move |e, m| preds.iter().any(|p| p(e, m)))),
    }
}

/// A compiled condition, and whether it is the constant `true` (an "otherwise" rule).
pub(crate) struct Compiled {
    pub cond: BoolC,
    pub always: bool,
}

/// Compiles a condition.
pub(crate) fn compile_condition(node: &Node, scope: &Scope) -> Result<Compiled, CompileError> {
    let cond = compile_bool(node, scope)?;
    let always = matches!(cond, BoolC::Const(true));
    Ok(Compiled { cond, always })
}

fn compile_bool(node: &Node, scope: &Scope) -> Result<BoolC, CompileError> {
    match compile(node, scope)? {
        Val::Bool(b) => Ok(b),
        other => err(
            &node.span,
            CompileErrorKind::Type,
            format!(
                "a condition is needed here, but this is {}{}",
                other.type_name(),
                match other {
                    Val::Num(_) => ": compare it, such as `x > 0`",
                    _ => ": compare it with `==` or `in [...]`",
                }
            ),
        ),
    }
}

fn compile_num(node: &Node, scope: &Scope) -> Result<NumC, CompileError> {
    match compile(node, scope)? {
        Val::Num(n) => Ok(n),
        other => err(
            &node.span,
            CompileErrorKind::Type,
            format!("a number is needed here, but this is {}", other.type_name()),
        ),
    }
}

/// Whether a node is a name that is not a field or derived value (an enumeration code, or unknown).
fn is_code_like(node: &Node) -> bool {
    match &node.ast {
        Ast::Name(n) => lookup(n).is_none(),
        Ast::Str(_) => true,
        _ => false,
    }
}

fn compile(node: &Node, scope: &Scope) -> Result<Val, CompileError> {
    let span = &node.span;
    match &node.ast {
        Ast::Num(v) => Ok(Val::Num(NumC::Const(*v))),
        Ast::Bool(b) => Ok(Val::Bool(BoolC::Const(*b))),
        Ast::Str(s) => err(
            span,
            CompileErrorKind::Type,
            format!("\"{s}\" is a code: compare a field with it, such as `occupation == \"{s}\"`"),
        ),
        Ast::Name(n) => compile_name(n, span, scope),
        Ast::Call(f, args) => compile_call(f, args, span, scope),
        Ast::Not(inner) => Ok(Val::Bool(compile_bool(inner, scope)?.not())),
        Ast::And(items) | Ast::Or(items) => {
            let is_and = matches!(node.ast, Ast::And(_));
            let items = items
                .iter()
                .map(|i| compile_bool(i, scope))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Val::Bool(combine(is_and, items)))
        }
        Ast::Cmp(op, l, r) => compile_cmp(*op, l, r, span, scope),
        Ast::In {
            expr,
            items,
            negated,
        } => compile_in(expr, items, *negated, scope),
        Ast::Arith(op, l, r) => {
            let (a, b) = (compile_num(l, scope)?, compile_num(r, scope)?);
            let f = |x: f64, y: f64| match op {
                ArOp::Add => x + y,
                ArOp::Sub => x - y,
                ArOp::Mul => x * y,
                ArOp::Div => x / y,
            };
            if let (NumC::Const(x), NumC::Const(y)) = (&a, &b) {
                return Ok(Val::Num(NumC::Const(f(*x, *y))));
            }
            let (a, b) = (a.into_fn(), b.into_fn());
            Ok(Val::Num(NumC::Dyn(match op {
                ArOp::Add => Arc::new(move |e, m| a(e, m) + b(e, m)),
                ArOp::Sub => Arc::new(move |e, m| a(e, m) - b(e, m)),
                ArOp::Mul => Arc::new(move |e, m| a(e, m) * b(e, m)),
                ArOp::Div => Arc::new(move |e, m| a(e, m) / b(e, m)),
            })))
        }
        Ast::Neg(inner) => Ok(Val::Num(match compile_num(inner, scope)? {
            NumC::Const(c) => NumC::Const(-c),
            other => {
                let f = other.into_fn();
                NumC::Dyn(Arc::new(move |e, m| -f(e, m)))
            }
        })),
    }
}

fn compile_name(name: &str, span: &Range<usize>, scope: &Scope) -> Result<Val, CompileError> {
    let Some(d) = lookup(name) else {
        let hint = if FUNCTIONS.contains(&name) {
            format!(" (`{name}` is a function: write `{name}(...)`)")
        } else {
            suggestion(name, known_names())
        };
        return err(
            span,
            CompileErrorKind::UnknownField,
            format!("unknown field `{name}`{hint}"),
        );
    };
    let member_only = matches!(
        d.slot,
        Slot::MemNum(_) | Slot::MemFlag(_) | Slot::MemEnum(..)
    );
    if member_only && !scope.member {
        return err(
            span,
            CompileErrorKind::Reference,
            format!(
                "`{name}` is a member field: use it with scope = \"any_member\" (or \
                 every_member, no_member), or inside any_member(...)"
            ),
        );
    }
    if scope.phase < d.from {
        return err(
            span,
            CompileErrorKind::Reference,
            format!(
                "`{name}` is not known yet at this stage of scoring ({:?})",
                scope.phase
            ),
        );
    }
    Ok(match d.slot {
        Slot::HhNum(i) => Val::Num(NumC::Hh(i)),
        Slot::HhFlag(mask) => Val::Bool(atom(Atom::HhFlags(mask, mask))),
        Slot::HhEnum(i, k) => Val::Enum(k, EnumC::Hh(i)),
        Slot::MemNum(i) => Val::Num(NumC::Mem(i)),
        Slot::MemFlag(mask) => Val::Bool(atom(Atom::MemFlags(mask, mask))),
        Slot::MemEnum(i, k) => Val::Enum(k, EnumC::Mem(i)),
        Slot::Line => Val::Num(NumC::Const(scope.line)),
        Slot::Score => Val::Num(NumC::Dyn(Arc::new(|e, _| e.score))),
        Slot::MpiPoor => Val::Bool(BoolC::Dyn(Arc::new(|e, _| e.mpi_poor))),
    })
}

/// An enumeration code for `kind`, from a bare name or a quoted string.
fn enum_code(node: &Node, kind: EnumKind) -> Result<u8, CompileError> {
    let text = match &node.ast {
        Ast::Name(s) | Ast::Str(s) => s,
        _ => {
            return err(
                &node.span,
                CompileErrorKind::Type,
                format!("expected a value of {}", kind.name()),
            )
        }
    };
    kind.code(text).ok_or_else(|| CompileError {
        span: node.span.clone(),
        kind: CompileErrorKind::UnknownValue,
        message: format!(
            "unknown value `{text}` of {}: one of {}{}",
            kind.name(),
            kind.codes().join(", "),
            suggestion(text, kind.codes().iter().copied())
        ),
    })
}

fn name_arg<'n>(
    f: &str,
    args: &'n [Node],
    span: &Range<usize>,
) -> Result<(&'n str, &'n Node), CompileError> {
    match args {
        [a] => match &a.ast {
            Ast::Name(s) | Ast::Str(s) => Ok((s, a)),
            _ => err(
                &a.span,
                CompileErrorKind::Type,
                format!("{f}(...) takes a name"),
            ),
        },
        _ => err(
            span,
            CompileErrorKind::Type,
            format!("{f}(...) takes one name"),
        ),
    }
}

fn compile_call(
    f: &str,
    args: &[Node],
    span: &Range<usize>,
    scope: &Scope,
) -> Result<Val, CompileError> {
    match f {
        "any_member" | "every_member" | "no_member" | "count_members" => {
            if scope.member {
                return err(
                    span,
                    CompileErrorKind::Reference,
                    format!("{f}(...) cannot be used in a rule that is already about each member"),
                );
            }
            let [arg] = args else {
                return err(
                    span,
                    CompileErrorKind::Type,
                    format!("{f}(...) takes one condition"),
                );
            };
            let c = compile_bool(arg, &scope.in_members())?;
            Ok(match f {
                "any_member" => Val::Bool(BoolC::Dyn(member_rule(Quantifier::Any, None, c))),
                "every_member" => Val::Bool(BoolC::Dyn(member_rule(Quantifier::Every, None, c))),
                "no_member" => Val::Bool(BoolC::Dyn(member_rule(Quantifier::No, None, c))),
                _ => {
                    let p = c.into_pred();
                    Val::Num(NumC::Dyn(Arc::new(move |e, _| {
                        e.members.iter().filter(|m| p(e, m)).count() as f64
                    })))
                }
            })
        }
        "deprived" => {
            let (id, node) = name_arg(f, args, span)?;
            let Some(i) = scope.indicators.iter().position(|x| x == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "unknown indicator `{id}`{}",
                        suggestion(id, scope.indicators.iter().map(String::as_str))
                    ),
                );
            };
            if scope.phase < Phase::Indicators || i >= scope.visible_indicators {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "deprived({id}) can only be used after indicator `{id}` (list it earlier)"
                    ),
                );
            }
            Ok(Val::Bool(atom(Atom::Deprived(1u64 << i, true))))
        }
        "deprived_in" => {
            let (id, node) = name_arg(f, args, span)?;
            let Some((_, mask)) = scope.dimensions.iter().find(|(d, _)| d == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "unknown dimension `{id}`{}",
                        suggestion(id, scope.dimensions.iter().map(|(d, _)| d.as_str()))
                    ),
                );
            };
            if scope.phase < Phase::Criteria {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    "deprived_in(...) needs every indicator: use it in criteria, group rules, \
                     the target-poor rule or needs",
                );
            }
            Ok(Val::Bool(atom(Atom::Deprived(*mask, true))))
        }
        "capital" => {
            let (id, node) = name_arg(f, args, span)?;
            let Some(i) = scope.capitals.iter().position(|x| *x == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "unknown capital `{id}`: one of {}",
                        scope.capitals.join(", ")
                    ),
                );
            };
            if scope.phase < Phase::Groups {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    "capital(...) can only be used in group rules",
                );
            }
            Ok(Val::Num(NumC::Dyn(Arc::new(move |e, _| e.capitals[i]))))
        }
        "has_skill" => {
            let (id, node) = name_arg(f, args, span)?;
            if !scope.member {
                return err(
                    span,
                    CompileErrorKind::Reference,
                    "has_skill(...) is about a member: use it inside a member rule",
                );
            }
            let Some(skill) = Skill::parse(id).filter(|s| s.as_str() == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::UnknownValue,
                    format!(
                        "unknown value `{id}` of skills: one of {}",
                        Skill::CODES.join(", ")
                    ),
                );
            };
            let mask = 1u16 << (skill as u16);
            Ok(Val::Bool(BoolC::Dyn(Arc::new(move |_, m| {
                m.skills & mask != 0
            }))))
        }
        _ => err(
            span,
            CompileErrorKind::UnknownField,
            format!(
                "unknown function `{f}`: one of {}{}",
                FUNCTIONS.join(", "),
                suggestion(f, FUNCTIONS.iter().copied())
            ),
        ),
    }
}

/// How a member rule becomes a household condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantifier {
    Any,
    Every,
    No,
}

/// Lifts a member condition `when`, about the members that `among` selects (all when `None`),
/// to the household: whether it holds for any, every or no such member. Flat lists of atoms are
/// evaluated in place, without a dynamic call per member.
pub(crate) fn member_rule(q: Quantifier, among: Option<BoolC>, when: BoolC) -> Pred {
    match q {
        Quantifier::Any | Quantifier::No => {
            let cond = match among {
                Some(a) => combine(true, vec![a, when]),
                None => when,
            };
            let any: Pred = match cond {
                BoolC::Const(c) => Arc::new(move |e, _| c && !e.members.is_empty()),
                BoolC::Atoms { atoms, .. } if atoms.len() == 1 => {
                    let a = atoms[0];
                    Arc::new(move |e, _| e.members.iter().any(|m| a.eval(e, m)))
                }
                BoolC::Atoms { all: true, atoms } => {
                    Arc::new(move |e, _| e.members.iter().any(|m| all_atoms(&atoms, e, m)))
                }
                other => {
                    let p = other.into_pred();
                    Arc::new(move |e, _| e.members.iter().any(|m| p(e, m)))
                }
            };
            if q == Quantifier::Any {
                any
            } else {
                Arc::new(move |e, m| !any(e, m))
            }
        }
        Quantifier::Every => match (among, when) {
            (None, when) => {
                let p = when.into_pred();
                Arc::new(move |e, _| e.members.iter().all(|m| p(e, m)))
            }
            (
                Some(BoolC::Atoms {
                    all: true,
                    atoms: a,
                }),
                BoolC::Atoms { all, atoms: w },
            ) => Arc::new(move |e, _| {
                e.members.iter().all(|m| {
                    !all_atoms(&a, e, m)
                        || if all {
                            all_atoms(&w, e, m)
                        } else {
                            any_atom(&w, e, m)
                        }
                })
            }),
            (Some(among), when) => {
                let (a, w) = (among.into_pred(), when.into_pred());
                Arc::new(move |e, _| e.members.iter().all(|m| !a(e, m) || w(e, m)))
            }
        },
    }
}

fn compile_cmp(
    op: CmpOp,
    l: &Node,
    r: &Node,
    span: &Range<usize>,
    scope: &Scope,
) -> Result<Val, CompileError> {
    let (lv, rv) = match (is_code_like(l), is_code_like(r)) {
        (false, false) => (compile(l, scope)?, compile(r, scope)?),
        (false, true) => {
            let lv = compile(l, scope)?;
            let Val::Enum(k, _) = lv else {
                // A code compared with a number or a flag: report the unknown name.
                return Err(compile(r, scope)
                    .err()
                    .unwrap_or_else(|| unreachable_code(r)));
            };
            (lv, Val::Enum(k, EnumC::Const(enum_code(r, k)?)))
        }
        (true, false) => {
            let rv = compile(r, scope)?;
            let Val::Enum(k, _) = rv else {
                return Err(compile(l, scope)
                    .err()
                    .unwrap_or_else(|| unreachable_code(l)));
            };
            (Val::Enum(k, EnumC::Const(enum_code(l, k)?)), rv)
        }
        (true, true) => {
            return Err(compile(l, scope)
                .err()
                .unwrap_or_else(|| unreachable_code(l)))
        }
    };
    match (lv, rv) {
        (Val::Num(a), Val::Num(b)) => Ok(Val::Bool(num_cmp(op, a, b))),
        (Val::Bool(a), Val::Num(NumC::Const(c))) | (Val::Num(NumC::Const(c)), Val::Bool(a)) => {
            let want = flag_literal(c, span)?;
            bool_eq(op, a, BoolC::Const(want), span)
        }
        (Val::Bool(a), Val::Bool(b)) => bool_eq(op, a, b, span),
        (Val::Enum(ka, a), Val::Enum(kb, b)) if ka == kb => {
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !ka.ordered() {
                return err(
                    span,
                    CompileErrorKind::Type,
                    format!("{} has no order: use `==`, `!=` or `in [...]`", ka.name()),
                );
            }
            Ok(Val::Bool(enum_cmp(op, a, b)))
        }
        (a, b) => err(
            span,
            CompileErrorKind::Type,
            format!("cannot compare {} with {}", a.type_name(), b.type_name()),
        ),
    }
}

fn unreachable_code(node: &Node) -> CompileError {
    CompileError {
        span: node.span.clone(),
        kind: CompileErrorKind::Type,
        message: "a code can only be compared with a field of its kind".into(),
    }
}

fn flag_literal(c: f64, span: &Range<usize>) -> Result<bool, CompileError> {
    if c == 0.0 || c == 1.0 {
        Ok(c == 1.0)
    } else {
        err(
            span,
            CompileErrorKind::Type,
            format!("a flag is 0 or 1, not {c}"),
        )
    }
}

fn bool_eq(op: CmpOp, a: BoolC, b: BoolC, span: &Range<usize>) -> Result<Val, CompileError> {
    let eq = match op {
        CmpOp::Eq => true,
        CmpOp::Ne => false,
        _ => {
            return err(
                span,
                CompileErrorKind::Type,
                format!("flags compare with `==` or `!=`, not `{}`", op.symbol()),
            )
        }
    };
    Ok(Val::Bool(match (a, b) {
        (BoolC::Const(x), BoolC::Const(y)) => BoolC::Const((x == y) == eq),
        // `x == 1` is `x`; `x == 0` is `not x`.
        (x, BoolC::Const(v)) | (BoolC::Const(v), x) => {
            if v == eq {
                x
            } else {
                x.not()
            }
        }
        (a, b) => {
            let (a, b) = (a.into_pred(), b.into_pred());
            BoolC::Dyn(Arc::new(move |e, m| (a(e, m) == b(e, m)) == eq))
        }
    }))
}

fn num_cmp(op: CmpOp, a: NumC, b: NumC) -> BoolC {
    match (a, b) {
        (NumC::Const(x), NumC::Const(y)) => BoolC::Const(op.apply(x, y)),
        (NumC::Mem(i), NumC::Const(c)) => atom(num_atom(true, i, op, c)),
        (NumC::Const(c), NumC::Mem(i)) => atom(num_atom(true, i, flip(op), c)),
        (NumC::Hh(i), NumC::Const(c)) => atom(num_atom(false, i, op, c)),
        (NumC::Const(c), NumC::Hh(i)) => atom(num_atom(false, i, flip(op), c)),
        (a, b) => {
            let (a, b) = (a.into_fn(), b.into_fn());
            BoolC::Dyn(Arc::new(move |e, m| op.apply(a(e, m), b(e, m))))
        }
    }
}

/// The operator seen from the other side: `c < x` is `x > c`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// The set of enumeration values `v` with `v op c`, as bits.
fn enum_set(op: CmpOp, c: u8) -> u32 {
    let below = (1u32 << c) - 1;
    let at = 1u32 << c;
    match op {
        CmpOp::Eq => at,
        CmpOp::Ne => !at,
        CmpOp::Lt => below,
        CmpOp::Le => below | at,
        CmpOp::Gt => !(below | at),
        CmpOp::Ge => !below,
    }
}

fn enum_cmp(op: CmpOp, a: EnumC, b: EnumC) -> BoolC {
    match (a, b) {
        (EnumC::Const(x), EnumC::Const(y)) => BoolC::Const(op.apply(x, y)),
        (EnumC::Mem(i), EnumC::Const(c)) => atom(Atom::MemEnum(i as u8, enum_set(op, c))),
        (EnumC::Const(c), EnumC::Mem(i)) => atom(Atom::MemEnum(i as u8, enum_set(flip(op), c))),
        (EnumC::Hh(i), EnumC::Const(c)) => atom(Atom::HhEnum(i as u8, enum_set(op, c))),
        (EnumC::Const(c), EnumC::Hh(i)) => atom(Atom::HhEnum(i as u8, enum_set(flip(op), c))),
        (a, b) => {
            let get = |x: EnumC| -> EnumFn {
                match x {
                    EnumC::Const(c) => Arc::new(move |_, _| c),
                    EnumC::Hh(i) => Arc::new(move |e, _| e.hh.enums[i]),
                    EnumC::Mem(i) => Arc::new(move |_, m| m.enums[i]),
                }
            };
            let (a, b) = (get(a), get(b));
            BoolC::Dyn(Arc::new(move |e, m| op.apply(a(e, m), b(e, m))))
        }
    }
}

fn compile_in(
    expr: &Node,
    items: &[Node],
    negated: bool,
    scope: &Scope,
) -> Result<Val, CompileError> {
    let v = compile(expr, scope)?;
    let b = match v {
        Val::Enum(k, e) => {
            let mut set = 0u32;
            for item in items {
                set |= 1 << enum_code(item, k)?;
            }
            match e {
                EnumC::Const(c) => BoolC::Const(set & (1 << c) != 0),
                EnumC::Hh(i) => atom(Atom::HhEnum(i as u8, set)),
                EnumC::Mem(i) => atom(Atom::MemEnum(i as u8, set)),
            }
        }
        Val::Num(n) => {
            let mut values = Vec::new();
            for item in items {
                match compile_num(item, scope)? {
                    NumC::Const(c) => values.push(c),
                    _ => {
                        return err(
                            &item.span,
                            CompileErrorKind::Type,
                            "an `in [...]` list holds constants",
                        )
                    }
                }
            }
            let f = n.into_fn();
            BoolC::Dyn(Arc::new(move |e, m| values.contains(&f(e, m))))
        }
        Val::Bool(_) => {
            return err(
                &expr.span,
                CompileErrorKind::Type,
                "`in [...]` is for numbers and codes; compare a flag with `== 0` or `== 1`",
            )
        }
    };
    Ok(Val::Bool(if negated { b.not() } else { b }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methodology::expr;

    fn env_eval(rule: &str, hh: HouseholdRow, members: &[MemberRow]) -> bool {
        let scope = Scope {
            member: false,
            phase: Phase::Groups,
            indicators: &[],
            visible_indicators: 0,
            capitals: &["human", "physical", "financial", "natural", "social"],
            dimensions: &[],
            line: 38000.0,
        };
        let c = compile_condition(&expr::parse(rule).unwrap(), &scope).unwrap();
        let env = Env {
            hh: &hh,
            members,
            deprived: 0,
            met: 0,
            capitals: [0.5; 5],
            score: 0.0,
            mpi_poor: false,
        };
        (c.cond.into_pred())(&env, &MemberRow::default())
    }

    #[test]
    fn atoms_keep_the_meaning_of_the_rule() {
        let hh = HouseholdRow {
            flags: hflag::ELECTRICITY,
            enums: [4, 2, 0, 0],
            ..Default::default()
        };
        let mut child = MemberRow::default();
        child.num[mnum::AGE] = 7.0;
        let mut unknown = MemberRow::default();
        unknown.num[mnum::AGE] = f64::NAN;
        let cases = [
            ("electricity == 1 and sanitary_toilet == 0", true),
            ("electricity == 1 and electricity == 0", false),
            ("not (electricity == 1 and sanitary_toilet == 1)", true),
            (
                "housing_tenure == none or housing_condition in [dilapidated]",
                true,
            ),
            ("housing_tenure not in [none, own]", false),
            ("housing_condition != dilapidated", false),
            ("any_member(not (education < primary))", false),
            (
                "any_member(education <= none and education != primary)",
                true,
            ),
            ("capital(human) >= 0.5 and electricity == 1", true),
            (
                "any_member(age >= 6 and age <= 14 and in_school == 0)",
                true,
            ),
            ("every_member(in_school == 1)", false),
            ("no_member(age > 100)", true),
            ("count_members(age < 10) == 1", true),
        ];
        for (rule, want) in cases {
            assert_eq!(env_eval(rule, hh, &[child]), want, "{rule}");
        }
        // An unknown age fails every comparison, and its negation holds.
        assert!(!env_eval("any_member(age < 200)", hh, &[unknown]));
        assert!(env_eval("any_member(not (age < 200))", hh, &[unknown]));
        assert!(!env_eval("any_member(age >= 0)", hh, &[unknown]));
        assert!(env_eval("every_member(in_school == 1)", hh, &[]));
    }

    #[test]
    fn enum_sets_by_order() {
        assert_eq!(enum_set(CmpOp::Lt, 3) & 0b1111_1111, 0b0000_0111);
        assert_eq!(enum_set(CmpOp::Ge, 3) & 0b1111_1111, 0b1111_1000);
        assert_eq!(enum_set(CmpOp::Gt, 3) & 0b1111_1111, 0b1111_0000);
        assert_eq!(enum_set(CmpOp::Le, 0) & 0b1111_1111, 0b0000_0001);
    }

    #[test]
    fn contradicting_flags_fold_to_false() {
        assert_eq!(
            merge_flags(vec![
                Atom::MemFlags(1, 1),
                Atom::MemFlags(2, 0),
                Atom::HhFlags(1, 0)
            ]),
            Some(vec![Atom::MemFlags(3, 1), Atom::HhFlags(1, 0)])
        );
        assert_eq!(
            merge_flags(vec![Atom::MemFlags(1, 1), Atom::MemFlags(1, 0)]),
            None
        );
    }
}
