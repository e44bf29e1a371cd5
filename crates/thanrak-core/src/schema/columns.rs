//! The columns of the households and members tables, declared once: name, Thai alias, kind,
//! whether required, and the length limit of text.

/// The kind of a column: how its text is read and how it is stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Free text (stored as text).
    Text,
    /// A whole number in an inclusive range.
    Int(i64, i64),
    /// A decimal number in an inclusive range.
    Real(f64, f64),
    /// 0 or 1.
    Flag,
    /// A date (Buddhist or Common Era on input).
    Date,
}

/// One column of an import table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The canonical name (methodology §1).
    pub name: &'static str,
    /// The Thai header accepted as an alias.
    pub thai: &'static str,
    /// How the value is read and stored.
    pub kind: Kind,
    /// Whether an empty cell is an error.
    pub required: bool,
}

/// The most characters of a name (first name, last name) or a house number. A Thai full name
/// is rarely over 60 characters; the room left is for romanised and compound names.
pub const MAX_NAME_CHARS: usize = 200;

/// The most characters of any other text column (skills, codes, ids): free text a surveyor
/// types in, a few sentences at most. Longer text is a mistake (a whole paste in one cell) and
/// would break exports: an XLSX cell holds 32,767 characters.
pub const MAX_TEXT_CHARS: usize = 500;

impl Column {
    /// The most characters a text column accepts on import; `None` for other kinds.
    pub fn max_chars(&self) -> Option<usize> {
        match (self.kind, self.name) {
            (Kind::Text, "first_name" | "last_name" | "house_no") => Some(MAX_NAME_CHARS),
            (Kind::Text, _) => Some(MAX_TEXT_CHARS),
            _ => None,
        }
    }
}

const fn col(name: &'static str, thai: &'static str, kind: Kind, required: bool) -> Column {
    Column {
        name,
        thai,
        kind,
        required,
    }
}

const MONEY: Kind = Kind::Real(0.0, 1e12);

/// The columns of the `households` table, in canonical order.
pub const HOUSEHOLD_COLUMNS: &[Column] = &[
    col("household_id", "รหัสครัวเรือน", Kind::Text, true),
    col("round", "รอบการสำรวจ", Kind::Text, true),
    col("survey_date", "วันที่สำรวจ", Kind::Date, true),
    col("village_code", "รหัสหมู่บ้าน", Kind::Text, true),
    col("house_no", "บ้านเลขที่", Kind::Text, false),
    col("lat", "ละติจูด", Kind::Real(-90.0, 90.0), false),
    col("lon", "ลองจิจูด", Kind::Real(-180.0, 180.0), false),
    col("housing_tenure", "การครอบครองที่อยู่อาศัย", Kind::Text, true),
    col("housing_condition", "สภาพที่อยู่อาศัย", Kind::Text, true),
    col("drinking_water_ok", "น้ำดื่มเพียงพอ", Kind::Flag, true),
    col("water_use_ok", "น้ำใช้เพียงพอ", Kind::Flag, true),
    col("electricity", "มีไฟฟ้า", Kind::Flag, true),
    col("sanitary_toilet", "ส้วมถูกสุขลักษณะ", Kind::Flag, true),
    col("farm_land_rai", "ที่ดินทำกิน (ไร่)", Kind::Real(0.0, 1e6), true),
    col("land_tenure", "การถือครองที่ดิน", Kind::Text, true),
    col(
        "natural_resource_use",
        "ใช้ประโยชน์จากทรัพยากรธรรมชาติ",
        Kind::Flag,
        true,
    ),
    col("disaster_risk", "เสี่ยงภัยพิบัติ", Kind::Flag, true),
    col("savings_thb", "เงินออม (บาท)", MONEY, true),
    col("debt_formal_thb", "หนี้ในระบบ (บาท)", MONEY, true),
    col("debt_informal_thb", "หนี้นอกระบบ (บาท)", MONEY, true),
    col("transfers_thb_year", "เงินช่วยเหลือต่อปี (บาท)", MONEY, true),
    col(
        "group_memberships",
        "จำนวนกลุ่มที่เป็นสมาชิก",
        Kind::Int(0, 1000),
        true,
    ),
    col(
        "receives_community_help",
        "ได้รับความช่วยเหลือจากชุมชน",
        Kind::Flag,
        true,
    ),
];

/// The columns of the `members` table, in canonical order.
pub const MEMBER_COLUMNS: &[Column] = &[
    col("household_id", "รหัสครัวเรือน", Kind::Text, true),
    col("round", "รอบการสำรวจ", Kind::Text, true),
    col("member_no", "ลำดับสมาชิก", Kind::Int(1, 999), true),
    col("national_id", "เลขประจำตัวประชาชน", Kind::Text, false),
    col("first_name", "ชื่อ", Kind::Text, true),
    col("last_name", "นามสกุล", Kind::Text, false),
    col("sex", "เพศ", Kind::Text, true),
    col("birth_date", "วันเกิด", Kind::Date, false),
    col("age", "อายุ", Kind::Int(0, 130), false),
    col("relation", "ความสัมพันธ์กับหัวหน้าครัวเรือน", Kind::Text, true),
    col("education", "การศึกษาสูงสุด", Kind::Text, true),
    col("in_school", "กำลังศึกษา", Kind::Flag, true),
    col("literate", "อ่านออกเขียนได้", Kind::Flag, true),
    col("occupation", "อาชีพ", Kind::Text, true),
    col("income_thb_year", "รายได้ต่อปี (บาท)", MONEY, true),
    col("disability", "พิการ", Kind::Flag, true),
    col("chronic_illness", "ป่วยเรื้อรัง", Kind::Flag, true),
    col("dependent", "ติดเตียง/ต้องมีผู้ดูแล", Kind::Flag, true),
    col("receives_care", "ได้รับการดูแล", Kind::Flag, true),
    col("welfare_card", "บัตรสวัสดิการแห่งรัฐ", Kind::Flag, true),
    col("health_insurance", "มีหลักประกันสุขภาพ", Kind::Flag, true),
    col("skills", "ทักษะ", Kind::Text, false),
    col("can_work", "ทำงานได้", Kind::Flag, true),
    col("wants_work", "ต้องการทำงาน", Kind::Flag, true),
];

/// The oldest age the registry accepts; an older age is taken as a data-entry error.
pub const MAX_AGE: i32 = 120;

/// Finds the canonical column a header names: the canonical name or the Thai alias, ignoring
/// case, spaces, `_` and `-` (so `Savings THB`, `savings-thb` and `savings_thb` are one column).
pub fn match_header(columns: &'static [Column], header: &str) -> Option<usize> {
    let norm = |s: &str| -> String {
        s.trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let h = norm(header);
    columns
        .iter()
        .position(|c| norm(c.name) == h || norm(c.thai) == h)
}

#[cfg(test)]
mod header_tests {
    use super::*;

    #[test]
    fn headers_match_loosely() {
        let at = |h| match_header(HOUSEHOLD_COLUMNS, h).map(|i| HOUSEHOLD_COLUMNS[i].name);
        assert_eq!(at("Savings THB"), Some("savings_thb"));
        assert_eq!(at("savings-thb"), Some("savings_thb"));
        assert_eq!(at("\u{feff}household_id"), Some("household_id"));
        assert_eq!(at("ที่ดินทำกิน(ไร่)"), Some("farm_land_rai"));
        assert_eq!(at("วันที่สำรวจ"), Some("survey_date"));
        assert_eq!(at("savings"), None);
    }
}

/// Which table a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// The households table.
    Households,
    /// The members table.
    Members,
}

impl Table {
    /// The table's name (also the XLSX sheet and CSV file stem).
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Households => "households",
            Table::Members => "members",
        }
    }

    /// The table's columns.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Households => HOUSEHOLD_COLUMNS,
            Table::Members => MEMBER_COLUMNS,
        }
    }
}

/// A coded value of a column: its code, Thai label and English label.
pub type Coded = (&'static str, &'static str, &'static str);

/// The coded values a text column takes (a cell holds the code or the Thai label; `skills` a
/// `;`-separated list of them), for the import format's documentation, the template's
/// drop-down lists and the field form. `None`: free text.
pub fn coded_values(column: &str) -> Option<Vec<Coded>> {
    use crate::household::{
        Education, HousingCondition, HousingTenure, LandTenure, Occupation, Relation, Sex, Skill,
    };
    macro_rules! all {
        ($e:ty) => {
            <$e>::ALL
                .iter()
                .map(|v| (v.as_str(), v.label_th(), v.label_en()))
                .collect()
        };
    }
    Some(match column {
        "housing_tenure" => all!(HousingTenure),
        "housing_condition" => all!(HousingCondition),
        "land_tenure" => all!(LandTenure),
        "sex" => all!(Sex),
        "relation" => all!(Relation),
        "education" => all!(Education),
        "occupation" => all!(Occupation),
        "skills" => all!(Skill),
        _ => return None,
    })
}
