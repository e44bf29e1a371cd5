//! Rows of typed values as [`Household`] and [`Member`] records and back, every field checked.

use chrono::NaiveDate;

use super::columns::{Column, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use super::fields::{FieldError, FieldValue};
use crate::household::*;
use crate::reason::Reason;
use crate::{AreaRegistry, HouseholdId, NationalId, RoundLabel};

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
            self.fail(c.name, v, Reason::Required);
        }
        (c, v)
    }

    fn fail(&mut self, column: &'static str, value: &FieldValue, reason: Reason) {
        self.errors.push(FieldError {
            column,
            value: value.to_text(),
            reason,
        });
    }

    /// A value parsed by `f`, which explains a failure.
    fn with<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce(&FieldValue) -> Result<Option<T>, Reason>,
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
            parse(&v.to_text()).map(Some).ok_or_else(|| Reason::OneOf {
                codes: codes.iter().map(|c| c.to_string()).collect(),
            })
        })
    }

    fn int(&mut self, name: &'static str) -> Option<i64> {
        self.with(name, |v| match v {
            FieldValue::Int(i) => Ok(Some(*i)),
            _ => Err(Reason::NotWholeNumber),
        })
    }

    fn flag(&mut self, name: &'static str) -> bool {
        self.with(name, |v| match v {
            FieldValue::Int(0) => Ok(Some(false)),
            FieldValue::Int(1) => Ok(Some(true)),
            _ => Err(Reason::NotFlag),
        })
        .unwrap_or(false)
    }

    fn real(&mut self, name: &'static str) -> Option<f64> {
        self.with(name, |v| match v {
            FieldValue::Real(f) => Ok(Some(*f)),
            FieldValue::Int(i) => Ok(Some(*i as f64)),
            _ => Err(Reason::NotNumber),
        })
    }

    fn date(&mut self, name: &'static str) -> Option<NaiveDate> {
        self.with(name, |v| match v {
            FieldValue::Date(d) => Ok(Some(*d)),
            _ => Err(Reason::NotDate),
        })
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
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
                .map_err(Reason::from)
        });
        let round = r.with("round", |v| {
            RoundLabel::parse(&v.to_text())
                .map(Some)
                .map_err(Reason::from)
        });
        let survey_date = r.date("survey_date");
        let village_code = r.with("village_code", |v| {
            areas.village(&v.to_text()).map(Some).map_err(Reason::from)
        });
        let house_no = r.text("house_no").unwrap_or_default();
        let lat = r.real("lat");
        let lon = r.real("lon");
        let location = match (lat, lon) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                if !values.contains(&FieldValue::Invalid) {
                    r.fail("lon", &values[6], Reason::LatLonTogether);
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
                .map_err(Reason::from)
        });
        let round = r.with("round", |v| {
            RoundLabel::parse(&v.to_text())
                .map(Some)
                .map_err(Reason::from)
        });
        let member_no = r.int("member_no");
        let national_id = r.with("national_id", |v| {
            NationalId::parse(&v.to_text())
                .map(Some)
                .map_err(Reason::from)
        });
        let first_name = r.text("first_name");
        let last_name = r.text("last_name").unwrap_or_default();
        let sex = r.code("sex", Sex::CODES, Sex::parse);
        let birth_date = r.date("birth_date");
        let age = r.int("age");
        if birth_date.is_none() && age.is_none() && !values.contains(&FieldValue::Invalid) {
            r.fail("age", &FieldValue::Null, Reason::BirthDateOrAge);
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
                Skills::parse(&v.to_text())
                    .map(Some)
                    .map_err(|value| Reason::NotASkill {
                        value,
                        skills: Skill::CODES.iter().map(|c| c.to_string()).collect(),
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
