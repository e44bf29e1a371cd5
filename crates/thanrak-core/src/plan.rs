//! What the provincial policy meeting plans and follows (issue 12): the partner universities
//! that act as Area Managers, model areas (พื้นที่ต้นแบบ) with their development roadmap, and the
//! meetings held every two months with their decisions and action items.
//!
//! Every record is checked on construction; dates are whole days; money is whole satang (as in
//! the logbook of help, [`crate::help::parse_baht`]).

use std::fmt;

use chrono::NaiveDate;

use crate::identity::AgencyCode;
use crate::{AreaCode, AreaLevel};

/// The longest name of a partner, an activity or an action item.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest free text (decisions, notes).
pub const MAX_TEXT_CHARS: usize = 5000;

/// A field that does not hold what it must.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The field.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
    /// The field is well formed but breaks a rule of the plan (an item's area outside the
    /// meeting's province), rather than being malformed.
    pub rule: bool,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for PlanError {}

fn err(field: &'static str, problem: impl Into<String>) -> PlanError {
    PlanError {
        field,
        problem: problem.into(),
        rule: false,
    }
}

/// A well-formed field that breaks a rule of the plan.
fn broken(field: &'static str, problem: impl Into<String>) -> PlanError {
    PlanError {
        rule: true,
        ..err(field, problem)
    }
}

/// Trimmed text of at most `max` characters, without control characters; empty only when
/// `may_be_empty`.
fn text(field: &'static str, s: &str, max: usize, may_be_empty: bool) -> Result<String, PlanError> {
    let s = s.trim();
    if s.is_empty() && !may_be_empty {
        return Err(err(field, "is empty"));
    }
    if s.chars().count() > max {
        return Err(err(field, format!("is longer than {max} characters")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(err(field, "holds a control character"));
    }
    Ok(s.to_string())
}

/// Area codes, each once, ordered (as the store gives them back).
fn areas(field: &'static str, list: &[&str]) -> Result<Vec<AreaCode>, PlanError> {
    let mut out: Vec<AreaCode> = Vec::new();
    for a in list.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        let c = AreaCode::parse(a).map_err(|e| err(field, format!("{a:?} {e}")))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort_by_key(|c| c.to_string());
    Ok(out)
}

/// A partner university acting as Area Manager for some provinces, districts or subdistricts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// Its code (the alphabet of an agency code: `cmu`, `msu`, …).
    pub code: AgencyCode,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// Whom to call.
    pub contact: String,
    /// The areas it manages.
    pub areas: Vec<AreaCode>,
}

impl Partner {
    /// A checked partner: a code, two names, at least one area.
    pub fn new(
        code: &str,
        name_th: &str,
        name_en: &str,
        contact: &str,
        area_codes: &[&str],
    ) -> Result<Partner, PlanError> {
        let code = AgencyCode::parse(code).map_err(|e| err("code", e.to_string()))?;
        let areas = areas("areas", area_codes)?;
        if areas.is_empty() {
            return Err(err(
                "areas",
                "name at least one area the university manages",
            ));
        }
        if let Some(v) = areas.iter().find(|a| a.level() == AreaLevel::Village) {
            return Err(err(
                "areas",
                format!("{v} is a village: name provinces, districts or subdistricts"),
            ));
        }
        Ok(Partner {
            code,
            name_th: text("name_th", name_th, MAX_TITLE_CHARS, false)?,
            name_en: text("name_en", name_en, MAX_TITLE_CHARS, false)?,
            contact: text("contact", contact, MAX_TITLE_CHARS, true)?,
            areas,
        })
    }

    /// Whether the partner manages `area` (it or one of its parents is among its areas).
    pub fn manages(&self, area: &AreaCode) -> bool {
        self.areas.iter().any(|a| area.is_within(a))
    }
}

crate::labelled_enum!(
    /// The headings of a model area's roadmap, as the source writes them.
    pub enum Heading {
        /// Community process: organising, planning together.
        CommunityProcess = "community_process" / "กระบวนการชุมชน" / "Community process",
        /// Marketing.
        Marketing = "marketing" / "การตลาด" / "Marketing",
        /// Basic improvements (water, roads, housing).
        BasicImprovements = "basic_improvements" / "การปรับปรุงพื้นฐาน" / "Basic improvements",
        /// Processing of products.
        Processing = "processing" / "การแปรรูปผลิตภัณฑ์" / "Processing of products",
        /// Community tourism.
        Tourism = "tourism" / "การท่องเที่ยวชุมชน" / "Community tourism",
    }
);

crate::labelled_enum!(
    /// Where a roadmap activity or a meeting's action item stands.
    pub enum WorkState {
        /// Agreed, not started.
        Planned = "planned" / "วางแผนแล้ว" / "Planned",
        /// Started.
        UnderWay = "under_way" / "กำลังดำเนินการ" / "Under way",
        /// Finished.
        Done = "done" / "เสร็จแล้ว" / "Done",
        /// Given up, with a note why.
        Dropped = "dropped" / "ยกเลิก" / "Dropped",
    }
);

impl WorkState {
    /// Whether the work is over (done or dropped).
    pub fn is_closed(self) -> bool {
        matches!(self, WorkState::Done | WorkState::Dropped)
    }

    /// Whether work in state `self` may move to `to`: forward from planned to under way to
    /// done, dropped from any open state, and reopened (back to under way) from done or dropped.
    pub fn may_become(self, to: WorkState) -> bool {
        use WorkState::*;
        matches!(
            (self, to),
            (Planned, UnderWay)
                | (Planned, Done)
                | (UnderWay, Done)
                | (Planned, Dropped)
                | (UnderWay, Dropped)
                | (Done, UnderWay)
                | (Dropped, UnderWay)
        )
    }
}

/// A subdistrict (or village) chosen as a model area, with the partner that accompanies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelArea {
    /// The area: a subdistrict, as the source's districts choose them (a district or village
    /// may be chosen too).
    pub area: AreaCode,
    /// The partner university that accompanies it.
    pub partner: Option<AgencyCode>,
    /// When it was chosen.
    pub chosen_on: NaiveDate,
    /// Why it was chosen, what the analysis of its households found.
    pub note: String,
}

impl ModelArea {
    /// A checked model area: not a province.
    pub fn new(
        area: &str,
        partner: Option<&str>,
        chosen_on: NaiveDate,
        note: &str,
    ) -> Result<ModelArea, PlanError> {
        let area =
            AreaCode::parse(area.trim()).map_err(|e| err("area", format!("{area:?} {e}")))?;
        if area.level() == AreaLevel::Province {
            return Err(err(
                "area",
                format!("{area} is a province: a model area is a district, subdistrict or village"),
            ));
        }
        let partner = partner
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| AgencyCode::parse(p).map_err(|e| err("partner", e.to_string())))
            .transpose()?;
        Ok(ModelArea {
            area,
            partner,
            chosen_on,
            note: text("note", note, MAX_TEXT_CHARS, true)?,
        })
    }
}

/// An activity of a model area's roadmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Under which heading.
    pub heading: Heading,
    /// What is done.
    pub title: String,
    /// The agency that leads it.
    pub lead_agency: AgencyCode,
    /// The budget, in satang.
    pub budget_satang: i64,
    /// When it starts.
    pub starts_on: Option<NaiveDate>,
    /// When it ends.
    pub ends_on: Option<NaiveDate>,
    /// Where it stands.
    pub state: WorkState,
    /// The households it concerns (ids as text, checked against the registry by the app).
    pub households: Vec<String>,
    /// The enterprises it concerns (the registry's ids).
    pub enterprises: Vec<String>,
}

impl Activity {
    /// A checked activity: a title, a budget of 0 to 1,000,000,000 baht, an end not before its
    /// start.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        heading: Heading,
        title: &str,
        lead_agency: &str,
        budget_satang: i64,
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
        state: WorkState,
        households: &[&str],
        enterprises: &[&str],
    ) -> Result<Activity, PlanError> {
        if !(0..=100_000_000_000).contains(&budget_satang) {
            return Err(err("budget", "must be between 0 and 1,000,000,000 baht"));
        }
        if let (Some(s), Some(e)) = (starts_on, ends_on) {
            if e < s {
                return Err(broken("ends_on", format!("{e} is before the start, {s}")));
            }
        }
        let list = |field: &'static str, v: &[&str]| -> Result<Vec<String>, PlanError> {
            let mut out: Vec<String> = Vec::new();
            for x in v.iter().map(|x| x.trim()).filter(|x| !x.is_empty()) {
                let x = text(field, x, 64, false)?;
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            out.sort();
            Ok(out)
        };
        Ok(Activity {
            heading,
            title: text("title", title, MAX_TITLE_CHARS, false)?,
            lead_agency: AgencyCode::parse(lead_agency)
                .map_err(|e| err("lead_agency", e.to_string()))?,
            budget_satang,
            starts_on,
            ends_on,
            state,
            households: list("households", households)?,
            enterprises: list("enterprises", enterprises)?,
        })
    }
}

/// A policy meeting of a province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// The province.
    pub province: AreaCode,
    /// When it was held.
    pub held_on: NaiveDate,
    /// Its title ("ประชุมคณะทำงานระดับจังหวัด ครั้งที่ 3/2569").
    pub title: String,
    /// The agencies present.
    pub agencies: Vec<AgencyCode>,
    /// What was decided, as the minutes say it.
    pub decisions: String,
}

impl Meeting {
    /// A checked meeting: a province, a title, at least one agency present.
    pub fn new(
        province: &str,
        held_on: NaiveDate,
        title: &str,
        agencies: &[&str],
        decisions: &str,
    ) -> Result<Meeting, PlanError> {
        let province = AreaCode::parse(province.trim())
            .map_err(|e| err("province", format!("{province:?} {e}")))?;
        if province.level() != AreaLevel::Province {
            return Err(err("province", format!("{province} is not a province")));
        }
        let mut present: Vec<AgencyCode> = Vec::new();
        for a in agencies.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            let a = AgencyCode::parse(a).map_err(|e| err("agencies", format!("{a:?} {e}")))?;
            if !present.contains(&a) {
                present.push(a);
            }
        }
        present.sort();
        if present.is_empty() {
            return Err(err("agencies", "name the agencies present"));
        }
        Ok(Meeting {
            province,
            held_on,
            title: text("title", title, MAX_TITLE_CHARS, false)?,
            agencies: present,
            decisions: text("decisions", decisions, MAX_TEXT_CHARS, true)?,
        })
    }
}

/// An action item a meeting decided: what, which agency owns it, where, by when, and the
/// referral cases it is about when it concerns households.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// What is to be done.
    pub what: String,
    /// The agency that owns it.
    pub agency: AgencyCode,
    /// Where (inside the meeting's province).
    pub area: AreaCode,
    /// By when.
    pub due_on: Option<NaiveDate>,
    /// The referral cases it is about.
    pub cases: Vec<i64>,
}

impl ActionItem {
    /// A checked item of a meeting of `province`: its area inside the province.
    pub fn new(
        province: &AreaCode,
        what: &str,
        agency: &str,
        area: &str,
        due_on: Option<NaiveDate>,
        cases: &[i64],
    ) -> Result<ActionItem, PlanError> {
        let area =
            AreaCode::parse(area.trim()).map_err(|e| err("area", format!("{area:?} {e}")))?;
        if !area.is_within(province) {
            return Err(broken(
                "area",
                format!("{area} is outside the meeting's province {province}"),
            ));
        }
        let mut ids: Vec<i64> = Vec::new();
        for &c in cases {
            if c <= 0 {
                return Err(err("cases", format!("{c} is not a case number")));
            }
            if !ids.contains(&c) {
                ids.push(c);
            }
        }
        ids.sort_unstable();
        Ok(ActionItem {
            what: text("what", what, MAX_TITLE_CHARS * 2, false)?,
            agency: AgencyCode::parse(agency).map_err(|e| err("agency", e.to_string()))?,
            area,
            due_on,
            cases: ids,
        })
    }

    /// Whether an item in `state` is overdue on `today`.
    pub fn is_overdue(due_on: Option<NaiveDate>, state: WorkState, today: NaiveDate) -> bool {
        !state.is_closed() && due_on.is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn partners_manage_their_areas_and_below() {
        let p = Partner::new(
            "cmu",
            "มหาวิทยาลัยเชียงใหม่",
            "Chiang Mai University",
            "",
            &["52", "4501"],
        )
        .unwrap();
        assert!(p.manages(&AreaCode::parse("520101").unwrap()));
        assert!(p.manages(&AreaCode::parse("450101").unwrap()));
        assert!(!p.manages(&AreaCode::parse("450201").unwrap()));
        assert!(Partner::new("cmu", "x", "x", "", &[]).is_err());
        assert!(Partner::new("cmu", "x", "x", "", &["52010101"]).is_err());
        assert!(Partner::new("c m u", "x", "x", "", &["52"]).is_err());
        assert!(Partner::new("cmu", "", "x", "", &["52"]).is_err());
    }

    #[test]
    fn work_moves_forward_and_may_reopen() {
        use WorkState::*;
        assert!(Planned.may_become(UnderWay));
        assert!(UnderWay.may_become(Done));
        assert!(Done.may_become(UnderWay));
        assert!(!Done.may_become(Planned));
        assert!(!Planned.may_become(Planned));
        assert!(Dropped.is_closed() && !UnderWay.is_closed());
        assert!(ActionItem::is_overdue(
            Some(day("2026-01-01")),
            Planned,
            day("2026-02-01")
        ));
        assert!(!ActionItem::is_overdue(
            Some(day("2026-01-01")),
            Done,
            day("2026-02-01")
        ));
        assert!(!ActionItem::is_overdue(None, Planned, day("2026-02-01")));
    }

    #[test]
    fn records_are_checked() {
        assert!(ModelArea::new("52", None, day("2026-01-01"), "").is_err());
        assert!(ModelArea::new("520101", Some("cmu"), day("2026-01-01"), "").is_ok());
        let a = Activity::new(
            Heading::Processing,
            "แปรรูปข้าวฮาง",
            "codi",
            5_000_000,
            Some(day("2026-01-01")),
            Some(day("2025-01-01")),
            WorkState::Planned,
            &[],
            &[],
        );
        assert_eq!(a.unwrap_err().field, "ends_on");
        assert!(Activity::new(
            Heading::Processing,
            "x",
            "codi",
            -1,
            None,
            None,
            WorkState::Planned,
            &[],
            &[]
        )
        .is_err());
        let m = Meeting::new(
            "52",
            day("2026-10-01"),
            "ครั้งที่ 5",
            &["codi", "codi", "osmep"],
            "",
        )
        .unwrap();
        assert_eq!(m.agencies.len(), 2);
        assert!(Meeting::new("5201", day("2026-10-01"), "x", &["codi"], "").is_err());
        assert!(Meeting::new("52", day("2026-10-01"), "x", &[], "").is_err());
        let p = AreaCode::parse("52").unwrap();
        assert!(ActionItem::new(&p, "x", "codi", "4501", None, &[]).is_err());
        assert!(ActionItem::new(&p, "x", "codi", "5201", None, &[0]).is_err());
        assert_eq!(
            ActionItem::new(&p, "x", "codi", "5201", None, &[3, 3, 4])
                .unwrap()
                .cases,
            vec![3, 4]
        );
    }
}
