//! The catalogue of cooperating agencies: who they are, their mission, the needs of methodology §5
//! they meet and the areas they work in. Referral (later) sends a household's need to an agency
//! of this catalogue; the methodology file's `[[need]]` tables name their default agencies by
//! the same codes.

use crate::identity::AgencyCode;
use crate::AreaCode;

/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest mission or contact, in characters.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// A cooperating agency of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Its code (`codi`, `dasta`, …), the same as users of the agency carry.
    pub code: AgencyCode,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// What it is there to do.
    pub mission: String,
    /// The ids of the needs (methodology §5) it meets, in the order given.
    pub needs: Vec<String>,
    /// The areas it works in; none means the whole country.
    pub areas: Vec<AreaCode>,
    /// How to reach it.
    pub contact: String,
}

/// Why an agency was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct AgencyError {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub problem: String,
}

fn text(field: &'static str, s: &str, max: usize, required: bool) -> Result<String, AgencyError> {
    let s = s.trim();
    let fail = |problem: String| AgencyError { field, problem };
    if required && s.is_empty() {
        return Err(fail("is required".into()));
    }
    let n = s.chars().count();
    if n > max {
        return Err(fail(format!("is {n} characters long: at most {max}")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(fail("contains a control character".into()));
    }
    Ok(s.to_string())
}

/// A need id: lower-case letters, digits and `_`, as the methodology file writes them.
fn need_id(s: &str) -> Result<String, AgencyError> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(AgencyError {
            field: "needs",
            problem: format!("{s:?} is not a need id (lower-case letters, digits and _)"),
        })
    }
}

impl Agency {
    /// An agency with every field checked: names required, lengths bounded, no control
    /// characters, need ids well formed and not repeated, area codes well formed.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        code: &str,
        name_th: &str,
        name_en: &str,
        mission: &str,
        needs: &[&str],
        areas: &[&str],
        contact: &str,
    ) -> Result<Agency, AgencyError> {
        let code = AgencyCode::parse(code).map_err(|e| AgencyError {
            field: "code",
            problem: e.to_string(),
        })?;
        let mut need_ids: Vec<String> = Vec::new();
        for n in needs.iter().filter(|n| !n.trim().is_empty()) {
            let id = need_id(n)?;
            if !need_ids.contains(&id) {
                need_ids.push(id);
            }
        }
        let mut codes: Vec<AreaCode> = Vec::new();
        for a in areas.iter().filter(|a| !a.trim().is_empty()) {
            let c = AreaCode::parse(a.trim()).map_err(|e| AgencyError {
                field: "areas",
                problem: format!("{a:?} {e}"),
            })?;
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
        Ok(Agency {
            code,
            name_th: text("name_th", name_th, MAX_NAME_CHARS, true)?,
            name_en: text("name_en", name_en, MAX_NAME_CHARS, true)?,
            mission: text("mission", mission, MAX_TEXT_CHARS, false)?,
            needs: need_ids,
            areas: codes,
            contact: text("contact", contact, MAX_TEXT_CHARS, false)?,
        })
    }

    /// Whether the agency works in `area` (an agency without areas works everywhere).
    pub fn works_in(&self, area: &AreaCode) -> bool {
        self.areas.is_empty() || self.areas.iter().any(|a| area.is_within(a))
    }
}

/// The default catalogue: the agencies the source names (PMU A, CODI, DASTA, OSMEP, local
/// government) and the provincial offices that meet the other needs, with the needs of the
/// default methodology each one meets. Every need of `thanrak-default-1` has an agency here.
pub fn default_catalogue() -> Vec<Agency> {
    const DEFAULT: &[(&str, &str, &str, &str, &[&str])] = &[
        (
            "pmua",
            "หน่วยบริหารและจัดการทุนด้านการพัฒนาระดับพื้นที่ (บพท.)",
            "Program Management Unit on Area Based Development (PMU A)",
            "ทุนวิจัยและนวัตกรรมเพื่อแก้ปัญหาความยากจนระดับพื้นที่ และพื้นที่ยุทธศาสตร์",
            &["research"],
        ),
        (
            "codi",
            "สถาบันพัฒนาองค์กรชุมชน (พอช.)",
            "Community Organizations Development Institute (CODI)",
            "ที่อยู่อาศัยมั่นคงและการพัฒนาอาชีพโดยองค์กรชุมชน",
            &["housing", "occupation"],
        ),
        (
            "dasta",
            "องค์การบริหารการพัฒนาพื้นที่พิเศษเพื่อการท่องเที่ยวอย่างยั่งยืน (อพท.)",
            "Designated Areas for Sustainable Tourism Administration (DASTA)",
            "การท่องเที่ยวโดยชุมชนที่สร้างรายได้ให้ครัวเรือน",
            &["tourism"],
        ),
        (
            "osmep",
            "สำนักงานส่งเสริมวิสาหกิจขนาดกลางและขนาดย่อม (สสว.)",
            "Office of SME Promotion (OSMEP)",
            "วิสาหกิจชุมชนและผู้ประกอบการรายย่อย การจ้างงานในท้องถิ่น",
            &["job", "occupation"],
        ),
        (
            "local_government",
            "องค์กรปกครองส่วนท้องถิ่น (อปท.)",
            "Local government organisations",
            "สวัสดิการและบริการสาธารณะของท้องถิ่น",
            &["welfare"],
        ),
        (
            "social_development",
            "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด (พมจ.)",
            "Provincial Office of Social Development and Human Security",
            "สวัสดิการสังคม ผู้สูงอายุ คนพิการ และครัวเรือนเปราะบาง",
            &["welfare"],
        ),
        (
            "education_office",
            "สำนักงานศึกษาธิการจังหวัด",
            "Provincial Education Office",
            "การศึกษาของเด็กและเยาวชน และการศึกษานอกระบบ",
            &["education"],
        ),
        (
            "health_office",
            "สำนักงานสาธารณสุขจังหวัด",
            "Provincial Public Health Office",
            "หลักประกันสุขภาพ การดูแลผู้ป่วยเรื้อรังและผู้ที่ต้องพึ่งพิง",
            &["health"],
        ),
        (
            "agriculture_office",
            "สำนักงานเกษตรจังหวัด",
            "Provincial Agriculture Office",
            "การเกษตรและการแปรรูปผลผลิตของครัวเรือน",
            &["occupation"],
        ),
        (
            "employment_office",
            "สำนักงานจัดหางานจังหวัด",
            "Provincial Employment Office",
            "การหางานและการฝึกทักษะอาชีพ",
            &["job"],
        ),
    ];
    DEFAULT
        .iter()
        .map(|(code, th, en, mission, needs)| {
            Agency::new(code, th, en, mission, needs, &[], "")
                .expect("the default catalogue is valid")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agencies_are_checked_field_by_field() {
        let a = Agency::new(
            " CODI ",
            "พอช.",
            "CODI",
            "",
            &["housing", "housing", ""],
            &["52", "5201"],
            "",
        )
        .unwrap();
        assert_eq!(a.code.as_str(), "codi");
        assert_eq!(a.needs, ["housing"]);
        assert_eq!(a.areas.len(), 2);
        assert!(a.works_in(&AreaCode::parse("52010101").unwrap()));
        assert!(!a.works_in(&AreaCode::parse("50").unwrap()));
        let err = |r: Result<Agency, AgencyError>| r.unwrap_err().to_string();
        assert_eq!(
            err(Agency::new("codi", " ", "CODI", "", &[], &[], "")),
            "name_th is required"
        );
        assert!(
            err(Agency::new("codi", "x", "CODI", "", &["Housing"], &[], "")).contains("need id")
        );
        assert!(err(Agency::new("codi", "x", "CODI", "", &[], &["5"], "")).starts_with("areas"));
        assert!(err(Agency::new("co di", "x", "CODI", "", &[], &[], "")).starts_with("code"));
        let long = "ก".repeat(MAX_NAME_CHARS + 1);
        assert!(err(Agency::new("codi", &long, "CODI", "", &[], &[], "")).contains("at most 200"));
    }

    #[test]
    fn every_default_need_has_an_agency() {
        let catalogue = default_catalogue();
        assert_eq!(catalogue.len(), 10);
        let needs = crate::methodology::Methodology::shipped()
            .iter()
            .flat_map(|m| m.needs());
        for need in needs {
            assert!(
                catalogue.iter().any(|a| a.needs.contains(&need.id)),
                "no agency meets {}",
                need.id
            );
            for code in &need.agencies {
                assert!(
                    catalogue.iter().any(|a| a.code.as_str() == code),
                    "{} names an agency {code} outside the catalogue",
                    need.id
                );
            }
        }
    }
}
