//! The catalogue of names a rule may use: fields and derived values with the slot each is read
//! from and the first phase that knows it, the functions, the enumerations, and suggestions for
//! a misspelt name.

use super::super::Group;
use super::rows::{hflag, hnum, mflag, mnum};
use crate::household::{
    Education, HousingCondition, HousingTenure, LandTenure, Occupation, Relation, Sex,
};

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
    pub(super) fn codes(self) -> &'static [&'static str] {
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

    pub(super) fn name(self) -> &'static str {
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
    pub(super) fn ordered(self) -> bool {
        self == EnumKind::Education
    }

    pub(super) fn code(self, s: &str) -> Option<u8> {
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
pub(super) enum Slot {
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

pub(super) struct NameDef {
    name: &'static str,
    pub(super) slot: Slot,
    /// The first phase where the value is known.
    pub(super) from: Phase,
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

pub(super) const FUNCTIONS: &[&str] = &[
    "any_member",
    "every_member",
    "no_member",
    "count_members",
    "deprived",
    "deprived_in",
    "capital",
    "has_skill",
];

pub(super) fn lookup(name: &str) -> Option<&'static NameDef> {
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
pub(super) fn suggestion<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}
