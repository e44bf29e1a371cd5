//! The grassroots economy (methodology §7, issue 11): the enterprises of the registry, their
//! grassroots score, their open positions and the buy-from / sell-to links between them
//! (`mod.rs`); the matching of poor workers to positions ([`matching`]) and its exact min-cost
//! flow ([`solver`]). Pure: the store keeps the registry, `thanrak_app::economy` imports it and
//! runs matches.
//!
//! Shares are whole percents and wages whole baht: no float decides a score or a sum.

pub mod matching;
pub mod solver;

use std::fmt;

use crate::area::AreaCode;
use crate::household::Skills;
use crate::ids::HouseholdId;
use crate::labels::Lang;
use crate::reason::Reason;
use crate::schema::{Column, Kind};

crate::labelled_enum!(
    /// The kind of an enterprise of the registry.
    pub enum EnterpriseKind {
        /// A community enterprise registered under the Community Enterprise Promotion Act.
        CommunityEnterprise = "community_enterprise" / "วิสาหกิจชุมชน" / "Community enterprise",
        /// An OTOP producer (One Tambon One Product), with its star level.
        Otop = "otop" / "ผู้ผลิต OTOP" / "OTOP producer",
        /// A local small or medium enterprise.
        Sme = "sme" / "SME ท้องถิ่น" / "Local SME",
        /// A community-based tourism group.
        Cbt = "cbt" / "ท่องเที่ยวชุมชน" / "Community-based tourism group",
        /// A cooperative.
        Cooperative = "cooperative" / "สหกรณ์" / "Cooperative",
    }
);

/// The most characters of a name or a title.
pub const MAX_NAME_CHARS: usize = 200;
/// The most characters of a registration number.
pub const MAX_REGISTRATION_CHARS: usize = 40;
/// The most employees an enterprise may declare (a typing mistake beyond).
pub const MAX_EMPLOYEES: u32 = 1_000_000;
/// The most places one position may offer.
pub const MAX_PLACES: u32 = 10_000;
/// The highest monthly wage, in baht.
pub const MAX_WAGE_BAHT: i64 = 1_000_000;

/// Why a field of the registry was refused: the field (the import's column name) and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub reason: Reason,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.reason)
    }
}

impl std::error::Error for FieldProblem {}

fn check_text(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
    out: &mut Vec<FieldProblem>,
) -> String {
    let t = text.trim();
    let problem = if t.is_empty() && required {
        Some(Reason::Required)
    } else if t.chars().count() > max {
        Some(Reason::TextTooLong {
            chars: t.chars().count(),
            max,
            name: true,
        })
    } else if t.chars().any(char::is_control) {
        Some(Reason::ControlCharacter)
    } else {
        None
    };
    if let Some(reason) = problem {
        out.push(FieldProblem { field, reason });
    }
    t.to_string()
}

fn between(field: &'static str, lo: impl ToString, hi: impl ToString) -> FieldProblem {
    FieldProblem {
        field,
        reason: Reason::Between {
            lo: lo.to_string(),
            hi: hi.to_string(),
        },
    }
}

/// The fields of an enterprise as given, before they are checked.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseDraft {
    /// Its id in the registry (positive).
    pub id: i64,
    /// Its kind.
    pub kind: EnterpriseKind,
    /// Its name.
    pub name: String,
    /// The village it works from.
    pub village: AreaCode,
    /// Its coordinates, when known.
    pub location: Option<(f64, f64)>,
    /// People it employs.
    pub employees: u32,
    /// Of them, people of the subdistrict.
    pub local_employees: u32,
    /// The share of its inputs from local resources, in whole percent.
    pub local_resource_pct: u8,
    /// Whether it shares its income with the community (dividends, a community fund, fair
    /// wages to members).
    pub shares_income: bool,
    /// The registration number of a community enterprise (required for that kind only).
    pub registration_no: Option<String>,
    /// The OTOP star level, 1–5 (required for OTOP producers only).
    pub otop_stars: Option<u8>,
}

/// An enterprise of the registry, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise(EnterpriseDraft);

/// The grassroots score of §7: three traits, one point each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GrassrootsScore {
    /// At least half its employees are local.
    pub local_employment: bool,
    /// At least half its inputs are local resources.
    pub local_resources: bool,
    /// It shares its income with the community.
    pub shares_income: bool,
}

impl GrassrootsScore {
    /// The score, 0–3.
    pub fn points(&self) -> u8 {
        u8::from(self.local_employment)
            + u8::from(self.local_resources)
            + u8::from(self.shares_income)
    }

    /// The three traits with their labels in `lang`, in §7's order.
    pub fn traits(&self, lang: Lang) -> [(&'static str, bool); 3] {
        let (a, b, c) = match lang {
            Lang::Th => ("จ้างคนในชุมชน", "ใช้วัตถุดิบในท้องถิ่น", "แบ่งปันรายได้สู่ชุมชน"),
            Lang::En => (
                "Employs local people",
                "Uses local resources",
                "Shares its income",
            ),
        };
        [
            (a, self.local_employment),
            (b, self.local_resources),
            (c, self.shares_income),
        ]
    }
}

impl Enterprise {
    /// Checks a draft: a positive id, a name of 1–200 characters, coordinates on the globe,
    /// local employees no more than employees, a share of 0–100 %, a registration number for
    /// a community enterprise (and only for one), a star level of 1–5 for an OTOP producer
    /// (and only for one). Every problem is returned.
    pub fn new(mut d: EnterpriseDraft) -> Result<Enterprise, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if d.id <= 0 {
            errors.push(between("id", 1, i64::MAX));
        }
        d.name = check_text("name", &d.name, MAX_NAME_CHARS, true, &mut errors);
        if let Some((lat, lon)) = d.location {
            if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
                errors.push(between("lat", -90, 90));
            }
            if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
                errors.push(between("lon", -180, 180));
            }
        }
        if d.employees > MAX_EMPLOYEES {
            errors.push(between("employees", 0, MAX_EMPLOYEES));
        }
        if d.local_employees > d.employees {
            errors.push(between("local_employees", 0, d.employees));
        }
        if d.local_resource_pct > 100 {
            errors.push(between("local_resource_pct", 0, 100));
        }
        let reg = d
            .registration_no
            .as_deref()
            .map(|r| {
                check_text(
                    "registration_no",
                    r,
                    MAX_REGISTRATION_CHARS,
                    false,
                    &mut errors,
                )
            })
            .filter(|r| !r.is_empty());
        match (d.kind, &reg) {
            (EnterpriseKind::CommunityEnterprise, None) => errors.push(FieldProblem {
                field: "registration_no",
                reason: Reason::Required,
            }),
            (EnterpriseKind::CommunityEnterprise, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.push(FieldProblem {
                field: "registration_no",
                reason: Reason::OnlyForKind {
                    kind: EnterpriseKind::CommunityEnterprise.as_str().into(),
                },
            }),
        }
        d.registration_no = reg;
        match (d.kind, d.otop_stars) {
            (EnterpriseKind::Otop, None) => errors.push(FieldProblem {
                field: "otop_stars",
                reason: Reason::Required,
            }),
            (EnterpriseKind::Otop, Some(s)) if !(1..=5).contains(&s) => {
                errors.push(between("otop_stars", 1, 5))
            }
            (EnterpriseKind::Otop, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.push(FieldProblem {
                field: "otop_stars",
                reason: Reason::OnlyForKind {
                    kind: EnterpriseKind::Otop.as_str().into(),
                },
            }),
        }
        if errors.is_empty() {
            Ok(Enterprise(d))
        } else {
            Err(errors)
        }
    }

    /// The fields, checked.
    pub fn fields(&self) -> &EnterpriseDraft {
        &self.0
    }

    /// Its id.
    pub fn id(&self) -> i64 {
        self.0.id
    }

    /// Its grassroots score.
    pub fn grassroots(&self) -> GrassrootsScore {
        let d = &self.0;
        GrassrootsScore {
            local_employment: d.employees > 0
                && 2 * u64::from(d.local_employees) >= u64::from(d.employees),
            local_resources: d.local_resource_pct >= 50,
            shares_income: d.shares_income,
        }
    }
}

/// When a position is open: all year, or from one month to another (wrapping over the new
/// year: `11-3` is November to March).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Season {
    /// All year.
    #[default]
    AllYear,
    /// From the first month to the second, 1–12.
    Months(u8, u8),
}

impl Season {
    /// Parses `all_year` (or empty, or `ตลอดปี`) or `M-M` with months 1–12.
    pub fn parse(s: &str) -> Result<Season, Reason> {
        let t = s.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("all_year") || t == "ตลอดปี" {
            return Ok(Season::AllYear);
        }
        let bad = || Reason::Between {
            lo: "1".into(),
            hi: "12".into(),
        };
        let (a, b) = t.split_once('-').ok_or_else(bad)?;
        let month = |m: &str| m.trim().parse::<u8>().ok().filter(|m| (1..=12).contains(m));
        match (month(a), month(b)) {
            (Some(a), Some(b)) => Ok(Season::Months(a, b)),
            _ => Err(bad()),
        }
    }

    /// The label in `lang`: `ตลอดปี` / `all year`, or the months' numbers.
    pub fn label(&self, lang: Lang) -> String {
        match (self, lang) {
            (Season::AllYear, Lang::Th) => "ตลอดปี".into(),
            (Season::AllYear, Lang::En) => "All year".into(),
            (Season::Months(a, b), _) => format!("{a}-{b}"),
        }
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Season::AllYear => f.write_str("all_year"),
            Season::Months(a, b) => write!(f, "{a}-{b}"),
        }
    }
}

/// An open position, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Its id (positive).
    pub id: i64,
    /// The enterprise offering it.
    pub enterprise_id: i64,
    /// What the work is.
    pub title: String,
    /// How many people it takes, 1–10,000.
    pub places: u32,
    /// The skills wanted (empty: any).
    pub skills_wanted: Skills,
    /// The monthly wage in whole baht.
    pub wage_baht_month: i64,
    /// When it is open.
    pub season: Season,
}

impl Position {
    /// Checks a position: positive ids, a title of 1–200 characters, 1–10,000 places, a wage
    /// of 0–1,000,000 baht a month.
    pub fn new(
        id: i64,
        enterprise_id: i64,
        title: &str,
        places: u32,
        skills_wanted: Skills,
        wage_baht_month: i64,
        season: Season,
    ) -> Result<Position, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if id <= 0 {
            errors.push(between("position_id", 1, i64::MAX));
        }
        if enterprise_id <= 0 {
            errors.push(between("enterprise_id", 1, i64::MAX));
        }
        let title = check_text("title", title, MAX_NAME_CHARS, true, &mut errors);
        if !(1..=MAX_PLACES).contains(&places) {
            errors.push(between("places", 1, MAX_PLACES));
        }
        if !(0..=MAX_WAGE_BAHT).contains(&wage_baht_month) {
            errors.push(between("wage_baht_month", 0, MAX_WAGE_BAHT));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Position {
            id,
            enterprise_id,
            title,
            places,
            skills_wanted,
            wage_baht_month,
            season,
        })
    }
}

/// A buy-from / sell-to link: the supplier sells `what` to the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The enterprise that sells.
    pub supplier_id: i64,
    /// The enterprise that buys.
    pub buyer_id: i64,
    /// What is sold.
    pub what: String,
}

impl Link {
    /// Checks a link: two different enterprises, `what` of 1–200 characters.
    pub fn new(supplier_id: i64, buyer_id: i64, what: &str) -> Result<Link, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if supplier_id <= 0 {
            errors.push(between("supplier_id", 1, i64::MAX));
        }
        if buyer_id <= 0 {
            errors.push(between("buyer_id", 1, i64::MAX));
        } else if buyer_id == supplier_id {
            errors.push(FieldProblem {
                field: "buyer_id",
                reason: Reason::SellsToItself,
            });
        }
        let what = check_text("what", what, MAX_NAME_CHARS, true, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Link {
            supplier_id,
            buyer_id,
            what,
        })
    }
}

/// A household that supplies an enterprise (methodology §7's value chain): the household sells
/// `what` — paddy, silk cocoons, clay — to the enterprise. With the workers placed there, these
/// are the poor households linked to an enterprise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdSupplier {
    /// The enterprise that buys.
    pub enterprise_id: i64,
    /// The household that sells.
    pub household_id: HouseholdId,
    /// What it sells.
    pub what: String,
}

impl HouseholdSupplier {
    /// Checks a supply link: an enterprise id ≥ 1, a valid household id, `what` of 1–200
    /// characters.
    pub fn new(
        enterprise_id: i64,
        household_id: &str,
        what: &str,
    ) -> Result<HouseholdSupplier, Vec<FieldProblem>> {
        let mut errors = Vec::new();
        if enterprise_id <= 0 {
            errors.push(between("enterprise_id", 1, i64::MAX));
        }
        let household = HouseholdId::parse(household_id)
            .map_err(|reason| {
                errors.push(FieldProblem {
                    field: "household_id",
                    reason: reason.into(),
                })
            })
            .ok();
        let what = check_text("what", what, MAX_NAME_CHARS, true, &mut errors);
        match household {
            Some(household_id) if errors.is_empty() => Ok(HouseholdSupplier {
                enterprise_id,
                household_id,
                what,
            }),
            _ => Err(errors),
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

/// The columns of a spreadsheet of enterprises (`thanrak enterprises import`), in canonical
/// order, with their Thai headers. A row may also offer one open position (the `position_*`
/// columns) and name one buyer it sells to (`sells_to_id`, `sells_what`); an enterprise with
/// several positions or buyers takes several rows with the same enterprise fields. Cells are
/// read as text and checked by [`Enterprise::new`], [`Position::new`] and [`Link::new`].
pub const ENTERPRISE_COLUMNS: &[Column] = &[
    col("enterprise_id", "รหัสกิจการ", Kind::Int(1, i64::MAX), true),
    col("kind", "ประเภทกิจการ", Kind::Text, true),
    col("name", "ชื่อกิจการ", Kind::Text, true),
    col("village_code", "รหัสหมู่บ้าน", Kind::Text, true),
    col("lat", "ละติจูด", Kind::Real(-90.0, 90.0), false),
    col("lon", "ลองจิจูด", Kind::Real(-180.0, 180.0), false),
    col(
        "employees",
        "จำนวนลูกจ้าง",
        Kind::Int(0, MAX_EMPLOYEES as i64),
        true,
    ),
    col(
        "local_employees",
        "ลูกจ้างในชุมชน",
        Kind::Int(0, MAX_EMPLOYEES as i64),
        true,
    ),
    col(
        "local_resource_pct",
        "ร้อยละวัตถุดิบท้องถิ่น",
        Kind::Int(0, 100),
        true,
    ),
    col("shares_income", "แบ่งปันรายได้สู่ชุมชน", Kind::Flag, true),
    col("registration_no", "เลขทะเบียนวิสาหกิจชุมชน", Kind::Text, false),
    col("otop_stars", "ระดับดาว OTOP", Kind::Int(1, 5), false),
    col("position_id", "รหัสตำแหน่งงาน", Kind::Int(1, i64::MAX), false),
    col("position_title", "ตำแหน่งงาน", Kind::Text, false),
    col(
        "position_places",
        "จำนวนที่รับ",
        Kind::Int(1, MAX_PLACES as i64),
        false,
    ),
    col("position_skills", "ทักษะที่ต้องการ", Kind::Text, false),
    col(
        "position_wage_baht",
        "ค่าจ้างต่อเดือน (บาท)",
        Kind::Int(0, MAX_WAGE_BAHT),
        false,
    ),
    col("position_season", "ช่วงเวลาจ้าง", Kind::Text, false),
    col(
        "sells_to_id",
        "ขายให้กิจการรหัส",
        Kind::Int(1, i64::MAX),
        false,
    ),
    col("sells_what", "สินค้าที่ขาย", Kind::Text, false),
    col(
        "buys_from_household",
        "รับซื้อจากครัวเรือนรหัส",
        Kind::Text,
        false,
    ),
    col("buys_what", "สินค้าที่รับซื้อจากครัวเรือน", Kind::Text, false),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: EnterpriseKind) -> EnterpriseDraft {
        EnterpriseDraft {
            id: 1,
            kind,
            name: " กลุ่มทอผ้าบ้านนา ".into(),
            village: AreaCode::parse("52010101").unwrap(),
            location: Some((18.29, 99.49)),
            employees: 10,
            local_employees: 5,
            local_resource_pct: 50,
            shares_income: true,
            registration_no: None,
            otop_stars: None,
        }
    }

    #[test]
    fn the_grassroots_score_counts_three_traits() {
        let e = Enterprise::new(draft(EnterpriseKind::Sme)).unwrap();
        assert_eq!(e.fields().name, "กลุ่มทอผ้าบ้านนา");
        assert_eq!(e.grassroots().points(), 3);
        let mut d = draft(EnterpriseKind::Sme);
        d.local_employees = 4;
        d.local_resource_pct = 49;
        let g = Enterprise::new(d).unwrap().grassroots();
        assert_eq!(g.points(), 1);
        assert_eq!(g.traits(Lang::En).map(|t| t.1), [false, false, true]);
        let mut d = draft(EnterpriseKind::Sme);
        d.employees = 0;
        d.local_employees = 0;
        assert!(!Enterprise::new(d).unwrap().grassroots().local_employment);
    }

    #[test]
    fn kinds_carry_their_own_fields() {
        let fields = |r: Result<Enterprise, Vec<FieldProblem>>| {
            r.err()
                .unwrap_or_default()
                .iter()
                .map(|p| p.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(Enterprise::new(draft(EnterpriseKind::CommunityEnterprise))),
            ["registration_no"]
        );
        let mut d = draft(EnterpriseKind::CommunityEnterprise);
        d.registration_no = Some("5201-0101/00012".into());
        assert!(Enterprise::new(d).is_ok());
        assert_eq!(
            fields(Enterprise::new(draft(EnterpriseKind::Otop))),
            ["otop_stars"]
        );
        let mut d = draft(EnterpriseKind::Otop);
        d.otop_stars = Some(6);
        assert_eq!(fields(Enterprise::new(d)), ["otop_stars"]);
        let mut d = draft(EnterpriseKind::Cbt);
        d.otop_stars = Some(3);
        d.registration_no = Some("x".into());
        d.local_employees = 11;
        d.name = String::new();
        assert_eq!(
            fields(Enterprise::new(d)),
            ["name", "local_employees", "registration_no", "otop_stars"]
        );
    }

    #[test]
    fn seasons_and_positions_are_checked() {
        assert_eq!(Season::parse(""), Ok(Season::AllYear));
        assert_eq!(Season::parse("11-3"), Ok(Season::Months(11, 3)));
        assert!(Season::parse("0-3").is_err());
        assert_eq!(
            Season::parse(&Season::Months(11, 3).to_string()),
            Ok(Season::Months(11, 3))
        );
        assert!(Position::new(1, 1, "คนงานแปรรูป", 3, Skills::NONE, 9_000, Season::AllYear).is_ok());
        let e = Position::new(0, 1, "", 0, Skills::NONE, -1, Season::AllYear).unwrap_err();
        let fields: Vec<_> = e.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["position_id", "title", "places", "wage_baht_month"]
        );
        assert!(Link::new(1, 1, "ผ้าทอ").is_err());
        assert!(Link::new(1, 2, "ผ้าทอ").is_ok());
    }
}
