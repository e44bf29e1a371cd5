//! The two tables of a survey round as columns: their names (and Thai aliases), kinds, how a cell's
//! text becomes a typed value, how values become a [`Household`] or [`Member`] and back, and the
//! checks that span rows and tables. Readers, writers and both database backends share this one
//! description, so a column is declared once.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt;

use chrono::NaiveDate;

use crate::household::*;
use crate::{date, AreaRegistry, HouseholdId, NationalId, RoundLabel};

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

/// A typed cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// An empty cell.
    Null,
    /// A whole number (also flags).
    Int(i64),
    /// A decimal number.
    Real(f64),
    /// Text (also codes of enumerations).
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// A cell that failed to parse; its error has already been reported.
    Invalid,
}

impl FieldValue {
    /// Reads a cell's text as a value of `kind`. Empty text is [`FieldValue::Null`].
    pub fn parse(kind: Kind, text: &str) -> Result<FieldValue, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(FieldValue::Null);
        }
        match kind {
            Kind::Text => {
                // Tabs and line breaks are text; other control characters are not (the store
                // uses one of them to separate cells).
                if t.chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                {
                    return Err("contains a control character".into());
                }
                Ok(FieldValue::Text(t.to_string()))
            }
            Kind::Flag => match t {
                "0" => Ok(FieldValue::Int(0)),
                "1" => Ok(FieldValue::Int(1)),
                _ => Err("must be 0 or 1".into()),
            },
            Kind::Int(lo, hi) => {
                let v: i64 = t
                    .parse()
                    .ok()
                    .or_else(|| {
                        // Spreadsheets write whole numbers as `3.0`.
                        t.parse::<f64>()
                            .ok()
                            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                            .map(|f| f as i64)
                    })
                    .ok_or("must be a whole number")?;
                if v < lo || v > hi {
                    return Err(format!("must be between {lo} and {hi}"));
                }
                Ok(FieldValue::Int(v))
            }
            Kind::Real(lo, hi) => {
                let v: f64 = t
                    .replace(',', "")
                    .parse()
                    .map_err(|_| "must be a number".to_string())?;
                if !v.is_finite() || v < lo || v > hi {
                    return Err(format!("must be between {lo} and {hi}"));
                }
                Ok(FieldValue::Real(v))
            }
            Kind::Date => date::parse_date(t)
                .map(FieldValue::Date)
                .map_err(|e| e.to_string()),
        }
    }

    /// The canonical text of the value, as written on export (dates ISO, Common Era).
    pub fn to_text(&self) -> String {
        match self {
            FieldValue::Null | FieldValue::Invalid => String::new(),
            FieldValue::Int(v) => v.to_string(),
            FieldValue::Real(v) => v.to_string(),
            FieldValue::Text(s) => s.clone(),
            FieldValue::Date(d) => date::format_iso(*d),
        }
    }
}

/// A problem with one cell (or, when `column` names a key, with one row).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The canonical column name.
    pub column: &'static str,
    /// The value as found.
    pub value: String,
    /// What is wrong, for a person to read.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}: {}", self.column, self.value, self.reason)
    }
}

/// Pulls the values of a row in column order, converting each and collecting errors.
struct RowReader<'a> {
    columns: &'static [Column],
    values: &'a [FieldValue],
    pos: usize,
    errors: Vec<FieldError>,
}

impl<'a> RowReader<'a> {
    fn new(columns: &'static [Column], values: &'a [FieldValue]) -> Self {
        Self {
            columns,
            values,
            pos: 0,
            errors: Vec::new(),
        }
    }

    /// The next column and its value; an empty required cell is reported here.
    fn next(&mut self, name: &'static str) -> (&'static Column, &'a FieldValue) {
        let c = &self.columns[self.pos];
        debug_assert_eq!(c.name, name);
        let v = self.values.get(self.pos).unwrap_or(&FieldValue::Null);
        self.pos += 1;
        if c.required && *v == FieldValue::Null {
            self.fail(c.name, v, "is required");
        }
        (c, v)
    }

    fn fail(&mut self, column: &'static str, value: &FieldValue, reason: impl Into<String>) {
        self.errors.push(FieldError {
            column,
            value: value.to_text(),
            reason: reason.into(),
        });
    }

    /// A value parsed by `f`, which explains a failure.
    fn with<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce(&FieldValue) -> Result<Option<T>, String>,
    ) -> Option<T> {
        let (c, v) = self.next(name);
        if matches!(v, FieldValue::Invalid | FieldValue::Null) {
            return None;
        }
        match f(v) {
            Ok(t) => t,
            Err(reason) => {
                self.fail(c.name, v, reason);
                None
            }
        }
    }

    fn text(&mut self, name: &'static str) -> Option<String> {
        self.with(name, |v| match v {
            FieldValue::Text(s) => Ok(Some(s.clone())),
            other => Ok(Some(other.to_text())),
        })
    }

    fn code<T>(
        &mut self,
        name: &'static str,
        codes: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        self.with(name, |v| {
            parse(&v.to_text())
                .map(Some)
                .ok_or_else(|| format!("must be one of {}", codes.join(", ")))
        })
    }

    fn int(&mut self, name: &'static str) -> Option<i64> {
        self.with(name, |v| match v {
            FieldValue::Int(i) => Ok(Some(*i)),
            _ => Err("must be a whole number".into()),
        })
    }

    fn flag(&mut self, name: &'static str) -> bool {
        self.with(name, |v| match v {
            FieldValue::Int(0) => Ok(Some(false)),
            FieldValue::Int(1) => Ok(Some(true)),
            _ => Err("must be 0 or 1".into()),
        })
        .unwrap_or(false)
    }

    fn real(&mut self, name: &'static str) -> Option<f64> {
        self.with(name, |v| match v {
            FieldValue::Real(f) => Ok(Some(*f)),
            FieldValue::Int(i) => Ok(Some(*i as f64)),
            _ => Err("must be a number".into()),
        })
    }

    fn date(&mut self, name: &'static str) -> Option<NaiveDate> {
        self.with(name, |v| match v {
            FieldValue::Date(d) => Ok(Some(*d)),
            _ => Err("must be a date".into()),
        })
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

/// Reads the cells of a row (text in canonical column order) as typed values, reporting bad cells.
pub fn parse_cells(
    columns: &'static [Column],
    cells: &[&str],
) -> (Vec<FieldValue>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let values = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = cells.get(i).copied().unwrap_or("");
            let too_long = c
                .max_chars()
                .filter(|&max| text.len() > max && text.trim().chars().count() > max);
            if let Some(max) = too_long {
                let what = if max == MAX_NAME_CHARS {
                    "a name or house number"
                } else {
                    "a text value"
                };
                errors.push(FieldError {
                    column: c.name,
                    value: text.to_string(),
                    reason: format!(
                        "is {} characters long: {what} may have at most {max}",
                        text.trim().chars().count()
                    ),
                });
                return FieldValue::Invalid;
            }
            FieldValue::parse(c.kind, text).unwrap_or_else(|reason| {
                errors.push(FieldError {
                    column: c.name,
                    value: text.to_string(),
                    reason,
                });
                FieldValue::Invalid
            })
        })
        .collect();
    (values, errors)
}

fn real_or_null(v: Option<f64>) -> FieldValue {
    v.map_or(FieldValue::Null, FieldValue::Real)
}

fn flag(b: bool) -> FieldValue {
    FieldValue::Int(i64::from(b))
}

fn text(s: &str) -> FieldValue {
    if s.is_empty() {
        FieldValue::Null
    } else {
        FieldValue::Text(s.to_string())
    }
}

impl Household {
    /// Builds a household from values in [`HOUSEHOLD_COLUMNS`] order, checking every field.
    pub fn from_values(
        values: &[FieldValue],
        areas: &AreaRegistry,
    ) -> Result<Self, Vec<FieldError>> {
        let mut r = RowReader::new(HOUSEHOLD_COLUMNS, values);
        let household_id = r.with("household_id", |v| {
            HouseholdId::parse(&v.to_text())
                .map(Some)
                .map_err(|e| e.to_string())
        });
        let round = r.with("round", |v| {
            RoundLabel::parse(&v.to_text())
                .map(Some)
                .map_err(|e| e.to_string())
        });
        let survey_date = r.date("survey_date");
        let village_code = r.with("village_code", |v| {
            areas
                .village(&v.to_text())
                .map(Some)
                .map_err(|e| e.to_string())
        });
        let house_no = r.text("house_no").unwrap_or_default();
        let lat = r.real("lat");
        let lon = r.real("lon");
        let location = match (lat, lon) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                if !values.contains(&FieldValue::Invalid) {
                    r.fail(
                        "lon",
                        &values[6],
                        "lat and lon go together: give both or neither",
                    );
                }
                None
            }
        };
        let housing_tenure = r.code("housing_tenure", HousingTenure::CODES, HousingTenure::parse);
        let housing_condition = r.code(
            "housing_condition",
            HousingCondition::CODES,
            HousingCondition::parse,
        );
        let drinking_water_ok = r.flag("drinking_water_ok");
        let water_use_ok = r.flag("water_use_ok");
        let electricity = r.flag("electricity");
        let sanitary_toilet = r.flag("sanitary_toilet");
        let farm_land_rai = r.real("farm_land_rai");
        let land_tenure = r.code("land_tenure", LandTenure::CODES, LandTenure::parse);
        let natural_resource_use = r.flag("natural_resource_use");
        let disaster_risk = r.flag("disaster_risk");
        let savings_thb = r.real("savings_thb");
        let debt_formal_thb = r.real("debt_formal_thb");
        let debt_informal_thb = r.real("debt_informal_thb");
        let transfers_thb_year = r.real("transfers_thb_year");
        let group_memberships = r.int("group_memberships");
        let receives_community_help = r.flag("receives_community_help");
        let h = (|| {
            Some(Household {
                household_id: household_id?,
                round: round?,
                survey_date: survey_date?,
                village_code: village_code?,
                house_no,
                location,
                housing_tenure: housing_tenure?,
                housing_condition: housing_condition?,
                drinking_water_ok,
                water_use_ok,
                electricity,
                sanitary_toilet,
                farm_land_rai: farm_land_rai?,
                land_tenure: land_tenure?,
                natural_resource_use,
                disaster_risk,
                savings_thb: savings_thb?,
                debt_formal_thb: debt_formal_thb?,
                debt_informal_thb: debt_informal_thb?,
                transfers_thb_year: transfers_thb_year?,
                group_memberships: u32::try_from(group_memberships?).ok()?,
                receives_community_help,
            })
        })();
        r.finish(h)
    }

    /// The household's values in [`HOUSEHOLD_COLUMNS`] order.
    pub fn to_values(&self) -> Vec<FieldValue> {
        vec![
            FieldValue::Text(self.household_id.to_string()),
            FieldValue::Text(self.round.to_string()),
            FieldValue::Date(self.survey_date),
            FieldValue::Text(self.village_code.to_string()),
            text(&self.house_no),
            real_or_null(self.location.map(|l| l.0)),
            real_or_null(self.location.map(|l| l.1)),
            FieldValue::Text(self.housing_tenure.as_str().into()),
            FieldValue::Text(self.housing_condition.as_str().into()),
            flag(self.drinking_water_ok),
            flag(self.water_use_ok),
            flag(self.electricity),
            flag(self.sanitary_toilet),
            FieldValue::Real(self.farm_land_rai),
            FieldValue::Text(self.land_tenure.as_str().into()),
            flag(self.natural_resource_use),
            flag(self.disaster_risk),
            FieldValue::Real(self.savings_thb),
            FieldValue::Real(self.debt_formal_thb),
            FieldValue::Real(self.debt_informal_thb),
            FieldValue::Real(self.transfers_thb_year),
            FieldValue::Int(i64::from(self.group_memberships)),
            flag(self.receives_community_help),
        ]
    }
}

impl Member {
    /// Builds a member from values in [`MEMBER_COLUMNS`] order, checking every field.
    pub fn from_values(values: &[FieldValue]) -> Result<Self, Vec<FieldError>> {
        let mut r = RowReader::new(MEMBER_COLUMNS, values);
        let household_id = r.with("household_id", |v| {
            HouseholdId::parse(&v.to_text())
                .map(Some)
                .map_err(|e| e.to_string())
        });
        let round = r.with("round", |v| {
            RoundLabel::parse(&v.to_text())
                .map(Some)
                .map_err(|e| e.to_string())
        });
        let member_no = r.int("member_no");
        let national_id = r.with("national_id", |v| {
            NationalId::parse(&v.to_text())
                .map(Some)
                .map_err(|e| format!("is not a valid national id: {e}"))
        });
        let first_name = r.text("first_name");
        let last_name = r.text("last_name").unwrap_or_default();
        let sex = r.code("sex", Sex::CODES, Sex::parse);
        let birth_date = r.date("birth_date");
        let age = r.int("age");
        if birth_date.is_none() && age.is_none() && !values.contains(&FieldValue::Invalid) {
            r.fail("age", &FieldValue::Null, "give birth_date or age");
        }
        let relation = r.code("relation", Relation::CODES, Relation::parse);
        let education = r.code("education", Education::CODES, Education::parse);
        let in_school = r.flag("in_school");
        let literate = r.flag("literate");
        let occupation = r.code("occupation", Occupation::CODES, Occupation::parse);
        let income_thb_year = r.real("income_thb_year");
        let disability = r.flag("disability");
        let chronic_illness = r.flag("chronic_illness");
        let dependent = r.flag("dependent");
        let receives_care = r.flag("receives_care");
        let welfare_card = r.flag("welfare_card");
        let health_insurance = r.flag("health_insurance");
        let skills = r
            .with("skills", |v| {
                Skills::parse(&v.to_text()).map(Some).map_err(|bad| {
                    format!(
                        "{bad:?} is not a skill (one of {})",
                        Skill::CODES.join(", ")
                    )
                })
            })
            .unwrap_or_default();
        let can_work = r.flag("can_work");
        let wants_work = r.flag("wants_work");
        let m = (|| {
            Some(Member {
                household_id: household_id?,
                round: round?,
                member_no: u16::try_from(member_no?).ok()?,
                national_id,
                first_name: first_name?,
                last_name,
                sex: sex?,
                birth_date,
                age: age.and_then(|a| u8::try_from(a).ok()),
                relation: relation?,
                education: education?,
                in_school,
                literate,
                occupation: occupation?,
                income_thb_year: income_thb_year?,
                disability,
                chronic_illness,
                dependent,
                receives_care,
                welfare_card,
                health_insurance,
                skills,
                can_work,
                wants_work,
            })
        })();
        r.finish(m)
    }

    /// The member's values in [`MEMBER_COLUMNS`] order.
    pub fn to_values(&self) -> Vec<FieldValue> {
        vec![
            FieldValue::Text(self.household_id.to_string()),
            FieldValue::Text(self.round.to_string()),
            FieldValue::Int(i64::from(self.member_no)),
            self.national_id
                .map_or(FieldValue::Null, |n| FieldValue::Text(n.digits())),
            FieldValue::Text(self.first_name.clone()),
            text(&self.last_name),
            FieldValue::Text(self.sex.as_str().into()),
            self.birth_date.map_or(FieldValue::Null, FieldValue::Date),
            self.age
                .map_or(FieldValue::Null, |a| FieldValue::Int(i64::from(a))),
            FieldValue::Text(self.relation.as_str().into()),
            FieldValue::Text(self.education.as_str().into()),
            flag(self.in_school),
            flag(self.literate),
            FieldValue::Text(self.occupation.as_str().into()),
            FieldValue::Real(self.income_thb_year),
            flag(self.disability),
            flag(self.chronic_illness),
            flag(self.dependent),
            flag(self.receives_care),
            flag(self.welfare_card),
            flag(self.health_insurance),
            text(&self.skills.to_text()),
            flag(self.can_work),
            flag(self.wants_work),
        ]
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

/// A problem found by a check that looks across rows: the row is an index into the table's slice.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// The table of the offending row.
    pub table: Table,
    /// Index of the row in the slice passed in.
    pub index: usize,
    /// The problem.
    pub error: FieldError,
    /// When the problem is a clash with a record already stored (not one of the batch): the
    /// stored household it clashes with. Whoever shows the problem decides how much of it the
    /// user may learn; the reason names the household only for callers that see everything.
    pub stored: Option<HouseholdId>,
}

/// Checks that span rows and tables: duplicated keys, members without a household (in this
/// batch), ages impossible at the survey date, and one national id in two households of a round
/// (also against `existing`: national ids already stored, with their household and round).
pub fn check_batch(
    households: &[Household],
    members: &[Member],
    existing: &HashMap<(RoundLabel, NationalId), HouseholdId>,
) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    // FxHash: the default SipHash was an eighth of a programme-size import, and these keys
    // come from the file being checked, not from an adversary who could flood one bucket.
    let mut hh_index: FxHashMap<(&RoundLabel, &HouseholdId), usize> = FxHashMap::default();
    hh_index.reserve(households.len());
    for (i, h) in households.iter().enumerate() {
        if let Some(first) = hh_index.insert((&h.round, &h.household_id), i) {
            hh_index.insert((&h.round, &h.household_id), first);
            problems.push(RowProblem {
                table: Table::Households,
                index: i,
                error: FieldError {
                    column: "household_id",
                    value: h.household_id.to_string(),
                    reason: format!("appears twice in round {}", h.round),
                },
                stored: None,
            });
        }
    }
    let mut member_keys: FxHashSet<(&RoundLabel, &HouseholdId, u16)> = FxHashSet::default();
    member_keys.reserve(members.len());
    let mut ids: FxHashMap<(&RoundLabel, NationalId), &HouseholdId> = FxHashMap::default();
    ids.reserve(members.len());
    for (i, m) in members.iter().enumerate() {
        let mut problem_with = |column, value: String, reason: String, stored| {
            problems.push(RowProblem {
                table: Table::Members,
                index: i,
                error: FieldError {
                    column,
                    value,
                    reason,
                },
                stored,
            })
        };
        let mut problem =
            |column, value: String, reason: String| problem_with(column, value, reason, None);
        if !member_keys.insert((&m.round, &m.household_id, m.member_no)) {
            problem(
                "member_no",
                m.member_no.to_string(),
                format!(
                    "appears twice in household {} of round {}",
                    m.household_id, m.round
                ),
            );
        }
        let Some(&hi) = hh_index.get(&(&m.round, &m.household_id)) else {
            problem(
                "household_id",
                m.household_id.to_string(),
                format!("no such household in round {} of this import", m.round),
            );
            continue;
        };
        let survey_date = households[hi].survey_date;
        if let Some(b) = m.birth_date {
            if b > survey_date {
                problem(
                    "birth_date",
                    date::format_iso(b),
                    format!("is after the survey date {}", date::format_iso(survey_date)),
                );
            }
        }
        match m.age_at(survey_date) {
            Some(a) if a > MAX_AGE => problem(
                if m.birth_date.is_some() {
                    "birth_date"
                } else {
                    "age"
                },
                m.birth_date.map_or_else(|| a.to_string(), date::format_iso),
                format!("gives an age of {a} at the survey date, over {MAX_AGE}"),
            ),
            _ => {}
        }
        if let Some(nid) = m.national_id {
            let clash = match ids.get(&(&m.round, nid)) {
                Some(other) => Some(((*other).clone(), false)),
                None => {
                    ids.insert((&m.round, nid), &m.household_id);
                    existing
                        .get(&(m.round.clone(), nid))
                        .filter(|other| {
                            **other != m.household_id
                                // A household being re-imported replaces its stored members.
                                && !hh_index.contains_key(&(&m.round, *other))
                        })
                        .map(|other| (other.clone(), true))
                }
            };
            if let Some((other, stored)) = clash {
                problem_with(
                    "national_id",
                    nid.digits(),
                    if other == m.household_id {
                        format!(
                            "is given to two members of household {other} in round {}",
                            m.round
                        )
                    } else {
                        format!("is also a member of household {other} in round {}", m.round)
                    },
                    stored.then_some(other.clone()),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod length_tests {
    use super::*;

    #[test]
    fn text_columns_have_a_length_limit_in_characters() {
        let at = |name: &str| MEMBER_COLUMNS.iter().position(|c| c.name == name).unwrap();
        let mut cells = vec![""; MEMBER_COLUMNS.len()];
        // Thai letters are three bytes each: the limit counts characters.
        let thai = "ก".repeat(MAX_NAME_CHARS);
        cells[at("first_name")] = &thai;
        let (_, errors) = parse_cells(MEMBER_COLUMNS, &cells);
        assert!(errors.is_empty(), "{errors:?}");
        let long = "a".repeat(100_000);
        cells[at("first_name")] = &long;
        cells[at("skills")] = &long[..MAX_TEXT_CHARS + 1];
        let (values, errors) = parse_cells(MEMBER_COLUMNS, &cells);
        assert_eq!(values[at("first_name")], FieldValue::Invalid);
        let reasons: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.column, e.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "first_name",
                    "is 100000 characters long: a name or house number may have at most 200"
                ),
                (
                    "skills",
                    "is 501 characters long: a text value may have at most 500"
                ),
            ]
        );
        assert_eq!(
            HOUSEHOLD_COLUMNS[4].max_chars(),
            Some(MAX_NAME_CHARS),
            "house_no"
        );
        assert_eq!(HOUSEHOLD_COLUMNS[5].max_chars(), None, "lat");
    }
}
