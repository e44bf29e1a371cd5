//! Household and member records of a survey round (methodology §1) and their enumerations,
//! each with its code (used in files) and its Thai label (used in the UI, accepted on input).

use chrono::NaiveDate;

use crate::{date, AreaCode, HouseholdId, NationalId, RoundLabel};

crate::labelled_enum!(
    /// How the household holds its dwelling.
    pub enum HousingTenure {
        Own = "own" / "เป็นเจ้าของ" / "Owned",
        Rent = "rent" / "เช่า" / "Rented",
        RentFree = "rent_free" / "อาศัยโดยไม่เสียค่าเช่า" / "Rent-free",
        PublicLand = "public_land" / "อาศัยในที่ดินสาธารณะ" / "On public land",
        None = "none" / "ไม่มีที่อยู่อาศัย" / "No dwelling",
    }
);

crate::labelled_enum!(
    /// The state of the dwelling.
    pub enum HousingCondition {
        Stable = "stable" / "มั่นคงแข็งแรง" / "Stable",
        NeedsRepair = "needs_repair" / "ต้องซ่อมแซม" / "Needs repair",
        Dilapidated = "dilapidated" / "ทรุดโทรม" / "Dilapidated",
        Temporary = "temporary" / "ชั่วคราว" / "Temporary",
    }
);

crate::labelled_enum!(
    /// How the household holds its farm land.
    pub enum LandTenure {
        Own = "own" / "มีที่ดินของตนเอง" / "Own land",
        Rent = "rent" / "เช่าที่ดิน" / "Rented land",
        None = "none" / "ไม่มีที่ดินทำกิน" / "No farm land",
    }
);

crate::labelled_enum!(
    /// Sex as recorded in the survey.
    pub enum Sex {
        M = "M" / "ชาย" / "Male",
        F = "F" / "หญิง" / "Female",
    }
);

crate::labelled_enum!(
    /// A member's relation to the head of the household.
    pub enum Relation {
        Head = "head" / "หัวหน้าครัวเรือน" / "Head of household",
        Spouse = "spouse" / "คู่สมรส" / "Spouse",
        Child = "child" / "บุตร" / "Child",
        Parent = "parent" / "บิดามารดา" / "Parent",
        Relative = "relative" / "ญาติ" / "Relative",
        Other = "other" / "ผู้อาศัยอื่น" / "Other resident",
    }
);

crate::labelled_enum!(
    /// Highest education completed, in increasing order (the order is used by the methodology).
    pub enum Education {
        None = "none" / "ไม่ได้รับการศึกษา" / "No schooling",
        Primary = "primary" / "ประถมศึกษา" / "Primary",
        LowerSecondary = "lower_secondary" / "มัธยมศึกษาตอนต้น" / "Lower secondary",
        UpperSecondary = "upper_secondary" / "มัธยมศึกษาตอนปลาย" / "Upper secondary",
        Vocational = "vocational" / "อาชีวศึกษา" / "Vocational",
        Bachelor = "bachelor" / "ปริญญาตรี" / "Bachelor's degree",
        Higher = "higher" / "สูงกว่าปริญญาตรี" / "Above a bachelor's degree",
    }
);

crate::labelled_enum!(
    /// Main occupation.
    pub enum Occupation {
        None = "none" / "ไม่มีอาชีพ" / "No occupation",
        Farmer = "farmer" / "เกษตรกร" / "Farmer",
        Fisher = "fisher" / "ประมง" / "Fisher",
        Employee = "employee" / "ลูกจ้างประจำ" / "Salaried employee",
        DailyWage = "daily_wage" / "รับจ้างรายวัน" / "Daily wage worker",
        OwnBusiness = "own_business" / "ค้าขาย/ธุรกิจส่วนตัว" / "Trade / own business",
        CivilServant = "civil_servant" / "รับราชการ" / "Civil servant",
        Student = "student" / "นักเรียน/นักศึกษา" / "Student",
        Other = "other" / "อาชีพอื่น" / "Other occupation",
    }
);

crate::labelled_enum!(
    /// A work skill (a member may have several).
    pub enum Skill {
        Agriculture = "agriculture" / "เกษตร" / "Agriculture",
        Handicraft = "handicraft" / "หัตถกรรม" / "Handicraft",
        FoodProcessing = "food_processing" / "แปรรูปอาหาร" / "Food processing",
        Construction = "construction" / "ก่อสร้าง" / "Construction",
        TourismService = "tourism_service" / "บริการท่องเที่ยว" / "Tourism services",
        Trade = "trade" / "ค้าขาย" / "Trade",
        Digital = "digital" / "ดิจิทัล" / "Digital",
        Driving = "driving" / "ขับรถ" / "Driving",
        Other = "other" / "ทักษะอื่น" / "Other skill",
    }
);

/// A set of skills, kept in the methodology's order whatever the order of input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Skills(u16);

impl Skills {
    /// The empty set.
    pub const NONE: Skills = Skills(0);

    /// Parses a `;`-separated list (`,` also accepted); returns the first unknown skill on failure.
    pub fn parse(s: &str) -> Result<Skills, String> {
        let mut set = 0u16;
        for part in s.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()) {
            let skill = Skill::parse(part).ok_or_else(|| part.to_string())?;
            set |= 1 << skill as u16;
        }
        Ok(Skills(set))
    }

    /// Adds a skill.
    pub fn insert(&mut self, skill: Skill) {
        self.0 |= 1 << skill as u16;
    }

    /// Whether the set holds `skill`.
    pub fn contains(&self, skill: Skill) -> bool {
        self.0 & (1 << skill as u16) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The skills in the methodology's order.
    pub fn iter(&self) -> impl Iterator<Item = Skill> + '_ {
        Skill::ALL.iter().copied().filter(|s| self.contains(*s))
    }

    /// The canonical `;`-separated form.
    pub fn to_text(&self) -> String {
        self.iter().map(Skill::as_str).collect::<Vec<_>>().join(";")
    }
}

/// A household in one survey round (methodology §1).
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    /// Stable id across rounds.
    pub household_id: HouseholdId,
    /// The survey round.
    pub round: RoundLabel,
    /// The day of the interview; ages are counted to it.
    pub survey_date: NaiveDate,
    /// The village (8 digits), inside a known subdistrict.
    pub village_code: AreaCode,
    /// House number as written locally, such as `12/3`.
    pub house_no: String,
    /// Latitude and longitude (WGS84), both or neither.
    pub location: Option<(f64, f64)>,
    /// How the dwelling is held.
    pub housing_tenure: HousingTenure,
    /// State of the dwelling.
    pub housing_condition: HousingCondition,
    /// Enough safe drinking water all year.
    pub drinking_water_ok: bool,
    /// Enough water for use all year.
    pub water_use_ok: bool,
    /// Has electricity.
    pub electricity: bool,
    /// Has a sanitary toilet.
    pub sanitary_toilet: bool,
    /// Farm land in rai.
    pub farm_land_rai: f64,
    /// How the farm land is held.
    pub land_tenure: LandTenure,
    /// Uses natural resources for a living.
    pub natural_resource_use: bool,
    /// Lives in a disaster-risk area.
    pub disaster_risk: bool,
    /// Savings, baht.
    pub savings_thb: f64,
    /// Debt to banks, cooperatives and funds, baht.
    pub debt_formal_thb: f64,
    /// Debt to moneylenders and others, baht.
    pub debt_informal_thb: f64,
    /// Public and private transfers received per year, baht.
    pub transfers_thb_year: f64,
    /// Number of community groups the household belongs to.
    pub group_memberships: u32,
    /// Receives help from the community.
    pub receives_community_help: bool,
}

/// A member of a household in one survey round (methodology §1).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The household the member belongs to.
    pub household_id: HouseholdId,
    /// The survey round.
    pub round: RoundLabel,
    /// The member's number within the household, from 1.
    pub member_no: u16,
    /// National id, when known.
    pub national_id: Option<NationalId>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Sex.
    pub sex: Sex,
    /// Date of birth, when known.
    pub birth_date: Option<NaiveDate>,
    /// Age in completed years as reported, used when there is no birth date.
    pub age: Option<u8>,
    /// Relation to the head.
    pub relation: Relation,
    /// Highest education completed.
    pub education: Education,
    /// Attends school now.
    pub in_school: bool,
    /// Can read and write.
    pub literate: bool,
    /// Main occupation.
    pub occupation: Occupation,
    /// Own income per year, baht.
    pub income_thb_year: f64,
    /// Has a disability.
    pub disability: bool,
    /// Has a chronic illness.
    pub chronic_illness: bool,
    /// Bedridden or needs daily care.
    pub dependent: bool,
    /// Receives the care the member needs.
    pub receives_care: bool,
    /// Holds a state welfare card.
    pub welfare_card: bool,
    /// Has health insurance (any scheme).
    pub health_insurance: bool,
    /// Work skills.
    pub skills: Skills,
    /// Able to work.
    pub can_work: bool,
    /// Wants (more) work.
    pub wants_work: bool,
}

impl Member {
    /// Age in completed years at `survey_date`: from the birth date when known, else the age column.
    pub fn age_at(&self, survey_date: NaiveDate) -> Option<i32> {
        match self.birth_date {
            Some(b) => Some(date::completed_years(b, survey_date)),
            None => self.age.map(i32::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_codes_and_thai_labels() {
        assert_eq!(
            HousingTenure::parse("rent_free"),
            Some(HousingTenure::RentFree)
        );
        assert_eq!(HousingTenure::parse("เช่า"), Some(HousingTenure::Rent));
        assert_eq!(Sex::parse("m"), Some(Sex::M));
        assert_eq!(Sex::parse("หญิง"), Some(Sex::F));
        assert_eq!(Education::parse("bachelors"), None);
        assert!(Education::LowerSecondary < Education::UpperSecondary);
        assert!(Education::Vocational > Education::UpperSecondary);
    }

    #[test]
    fn skills_are_a_set_in_canonical_order() {
        let s = Skills::parse("digital; agriculture;digital").unwrap();
        assert_eq!(s.to_text(), "agriculture;digital");
        assert!(s.contains(Skill::Digital));
        assert_eq!(Skills::parse("juggling"), Err("juggling".to_string()));
        assert!(Skills::parse("").unwrap().is_empty());
    }
}
