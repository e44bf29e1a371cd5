//! The rows that compiled rules read: a household's and a member's values in fixed slots (numbers,
//! flag bits, enumeration codes), filled once per household before its rules run.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::household::Skill;
use crate::{Household, Member};

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
pub(super) type NumFn = Arc<dyn Fn(&Env, &MemberRow) -> f64 + Send + Sync>;
pub(super) type EnumFn = Arc<dyn Fn(&Env, &MemberRow) -> u8 + Send + Sync>;
