//! The logbook of help given (issue 10): one episode of help to one household — what was given,
//! its kind, the dimension of the poverty index or the livelihood capital it addresses, the
//! agency that gave it, when, its value in baht and the referral case it closes. Pure: the
//! store keeps episodes, `thanrak_app::help` decides who records them and sums them.
//!
//! Money is kept as whole satang (`i64`, 1 baht = 100 satang), never as a float: sums of many
//! episodes are exact, and a value has at most two decimals by construction.

use std::fmt;

use chrono::NaiveDate;

use crate::identity::AgencyCode;
use crate::labels::Lang;
use crate::methodology::{Capital, Methodology};
use crate::reason::Reason;
use crate::schema::{Column, Kind};
use crate::{HouseholdId, RoundLabel};

crate::labelled_enum!(
    /// The kind of help given.
    pub enum HelpKind {
        /// Money paid to the household.
        Cash = "cash" / "เงินช่วยเหลือ" / "Cash",
        /// Goods: food, tools, seeds, building materials.
        InKind = "in_kind" / "สิ่งของ" / "In kind",
        /// A course or coaching.
        Training = "training" / "ฝึกอบรม" / "Training",
        /// A job or a placement.
        Job = "job" / "การจ้างงาน" / "Job",
        /// Repair or building of a home, secure tenure.
        Housing = "housing" / "ที่อยู่อาศัย" / "Housing",
        /// Care, treatment, health cover.
        Health = "health" / "สุขภาพ" / "Health",
        /// School fees, scholarships, adult learning.
        Education = "education" / "การศึกษา" / "Education",
        /// Anything else.
        Other = "other" / "อื่น ๆ" / "Other",
    }
);

/// The most characters of the text saying what was given.
pub const MAX_WHAT_CHARS: usize = 500;

/// The largest value of one episode, in baht: more is a typing mistake (a whole budget line
/// pasted into one cell), and it keeps every sum far inside an `i64` of satang.
pub const MAX_BAHT: i64 = 1_000_000_000;

/// What an episode of help addresses: a dimension of the default methodology's poverty index,
/// one of the five livelihood capitals, or nothing said.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Addresses {
    /// A dimension of the default methodology, by id (`health`, `living`, …).
    Dimension(String),
    /// A livelihood capital.
    Capital(Capital),
    /// Not said.
    Unspecified,
}

impl Addresses {
    /// Every code an episode may name: the default methodology's dimensions, then the capitals.
    pub fn codes() -> Vec<String> {
        Methodology::thanrak_default()
            .dimensions()
            .iter()
            .map(|d| d.id.clone())
            .chain(Capital::ALL.iter().map(|c| c.as_str().to_string()))
            .collect()
    }

    /// Parses a dimension id or a capital code (or its Thai label); empty text is
    /// [`Addresses::Unspecified`].
    pub fn parse(s: &str) -> Result<Addresses, Reason> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Addresses::Unspecified);
        }
        let m = Methodology::thanrak_default();
        if let Some(d) = m
            .dimensions()
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(s) || d.label_th == s)
        {
            return Ok(Addresses::Dimension(d.id.clone()));
        }
        Capital::parse(s)
            .map(Addresses::Capital)
            .ok_or_else(|| Reason::OneOf {
                codes: Addresses::codes(),
            })
    }

    /// The stored code (empty when unspecified).
    pub fn as_str(&self) -> &str {
        match self {
            Addresses::Dimension(id) => id,
            Addresses::Capital(c) => c.as_str(),
            Addresses::Unspecified => "",
        }
    }

    /// The label in `lang`: the dimension's label from the default methodology, the capital's.
    pub fn label(&self, lang: Lang) -> String {
        match self {
            Addresses::Dimension(id) => Methodology::thanrak_default()
                .dimensions()
                .iter()
                .find(|d| &d.id == id)
                .map(|d| match lang {
                    Lang::Th => d.label_th.clone(),
                    Lang::En => d.label_en.clone(),
                })
                .unwrap_or_else(|| id.clone()),
            Addresses::Capital(c) => c.label(lang).to_string(),
            Addresses::Unspecified => match lang {
                Lang::Th => "ไม่ระบุ".into(),
                Lang::En => "Not specified".into(),
            },
        }
    }
}

impl fmt::Display for Addresses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads an amount of baht as whole satang: digits with an optional `.` and at most two
/// decimals, thousands separated by `,` or not (`1500`, `1,500.50`, `0.5`); at least 0 and at
/// most [`MAX_BAHT`].
pub fn parse_baht(s: &str) -> Result<i64, Reason> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    let t = t.strip_prefix('฿').unwrap_or(&t).trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return Err(Reason::NotBaht);
    }
    // Fifteen digits of baht are past the limit already; longer ones would overflow.
    if whole.len() > 15 {
        return Err(Reason::NotBaht);
    }
    let baht: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| Reason::NotBaht)?
    };
    let satang: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| Reason::NotBaht)? * 10,
        _ => frac.parse().map_err(|_| Reason::NotBaht)?,
    };
    if baht > MAX_BAHT || (baht == MAX_BAHT && satang > 0) {
        return Err(Reason::NotBaht);
    }
    Ok(baht * 100 + satang)
}

/// Writes whole satang as baht with thousands separators and two decimals: `1,500.50`.
pub fn format_baht(satang: i64) -> String {
    let sign = if satang < 0 { "-" } else { "" };
    let abs = satang.unsigned_abs();
    format!("{sign}{}.{:02}", format_count(abs / 100), abs % 100)
}

/// A whole number with thousands separators: `1234567` as `1,234,567` (Thai documents write
/// counts so too).
pub fn format_count(n: u64) -> String {
    let whole = n.to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// An episode of help, checked: the fields every way of recording help fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    /// The survey round the household is recorded in.
    pub round: RoundLabel,
    /// The household helped.
    pub household_id: HouseholdId,
    /// The agency that gave it.
    pub agency: AgencyCode,
    /// Its kind.
    pub kind: HelpKind,
    /// The dimension or capital it addresses.
    pub addresses: Addresses,
    /// What was given, in a few words.
    what: String,
    /// Its value in satang (0 for help without a money value).
    value_satang: i64,
    /// When it was given.
    given_on: NaiveDate,
    /// The referral case it answers.
    pub case_id: Option<i64>,
}

/// Why an episode of help was refused: the field and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpError {
    /// The field (the import's column name).
    pub field: &'static str,
    /// What is wrong.
    pub reason: Reason,
}

impl fmt::Display for HelpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.reason)
    }
}

impl std::error::Error for HelpError {}

impl Help {
    /// Checks an episode: `what` not empty and at most [`MAX_WHAT_CHARS`] characters (trimmed),
    /// a value of 0 to [`MAX_BAHT`] baht, given on `today` or before. Every problem is
    /// returned, not only the first.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        round: RoundLabel,
        household_id: HouseholdId,
        agency: AgencyCode,
        kind: HelpKind,
        addresses: Addresses,
        what: &str,
        value_satang: i64,
        given_on: NaiveDate,
        case_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<Help, Vec<HelpError>> {
        let mut errors = Vec::new();
        let what = what.trim();
        if what.is_empty() {
            errors.push(HelpError {
                field: "what",
                reason: Reason::Required,
            });
        } else if what.chars().count() > MAX_WHAT_CHARS {
            errors.push(HelpError {
                field: "what",
                reason: Reason::TextTooLong {
                    chars: what.chars().count(),
                    max: MAX_WHAT_CHARS,
                    name: false,
                },
            });
        } else if what
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            errors.push(HelpError {
                field: "what",
                reason: Reason::ControlCharacter,
            });
        }
        if !(0..=MAX_BAHT * 100).contains(&value_satang) {
            errors.push(HelpError {
                field: "value_baht",
                reason: Reason::NotBaht,
            });
        }
        if given_on > today {
            errors.push(HelpError {
                field: "given_on",
                reason: Reason::InTheFuture { today },
            });
        }
        if case_id.is_some_and(|c| c <= 0) {
            errors.push(HelpError {
                field: "case_id",
                reason: Reason::NoSuchCase,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Help {
            round,
            household_id,
            agency,
            kind,
            addresses,
            what: what.to_string(),
            value_satang,
            given_on,
            case_id,
        })
    }

    /// What was given.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// Its value in satang.
    pub fn value_satang(&self) -> i64 {
        self.value_satang
    }

    /// When it was given.
    pub fn given_on(&self) -> NaiveDate {
        self.given_on
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

/// The columns of a spreadsheet of help given (`thanrak help import`), in canonical order, with
/// their Thai headers. Cells are read as text and checked by [`Help::new`] and the parsers of
/// this module; the kinds say how a reader treats the cell (text is un-quoted of a formula
/// guard).
pub const HELP_COLUMNS: &[Column] = &[
    col("round", "รอบการสำรวจ", Kind::Text, true),
    col("household_id", "รหัสครัวเรือน", Kind::Text, true),
    col("agency", "หน่วยงาน", Kind::Text, true),
    col("kind", "ประเภทความช่วยเหลือ", Kind::Text, true),
    col("addresses", "มิติหรือทุนที่แก้ไข", Kind::Text, false),
    col("what", "ความช่วยเหลือที่ให้", Kind::Text, true),
    col("value_baht", "มูลค่า (บาท)", Kind::Real(0.0, 1e9), true),
    col("given_on", "วันที่ให้", Kind::Date, true),
    col("case_id", "เลขที่เรื่องส่งต่อ", Kind::Int(1, i64::MAX), false),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn help(what: &str, satang: i64, on: NaiveDate) -> Result<Help, Vec<HelpError>> {
        Help::new(
            RoundLabel::parse("2568-1").unwrap(),
            HouseholdId::parse("H1").unwrap(),
            AgencyCode::parse("codi").unwrap(),
            HelpKind::Housing,
            Addresses::Capital(Capital::Physical),
            what,
            satang,
            on,
            None,
            d(2026, 3, 1),
        )
    }

    #[test]
    fn baht_are_read_as_exact_satang() {
        assert_eq!(parse_baht("1500"), Ok(150_000));
        assert_eq!(parse_baht(" 1,500.50 "), Ok(150_050));
        assert_eq!(parse_baht("0.5"), Ok(50));
        assert_eq!(parse_baht(".05"), Ok(5));
        assert_eq!(parse_baht("฿12"), Ok(1_200));
        assert_eq!(parse_baht("0"), Ok(0));
        assert_eq!(parse_baht("1000000000"), Ok(100_000_000_000));
        // A trailing point is a whole number.
        assert_eq!(parse_baht("1."), Ok(100));
        for bad in [
            "",
            "-1",
            "1.005",
            "abc",
            "1e3",
            "1000000000.01",
            "99999999999999999999",
            ".",
        ] {
            assert_eq!(parse_baht(bad), Err(Reason::NotBaht), "{bad:?}");
        }
    }

    #[test]
    fn baht_are_written_with_thousands_separators() {
        assert_eq!(format_baht(0), "0.00");
        assert_eq!(format_baht(5), "0.05");
        assert_eq!(format_baht(150_050), "1,500.50");
        assert_eq!(format_baht(12_345_678_900), "123,456,789.00");
        assert_eq!(format_baht(-100_000), "-1,000.00");
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(235_704), "235,704");
        for s in [0, 1, 99, 100_000, 12_345_678] {
            assert_eq!(parse_baht(&format_baht(s)), Ok(s));
        }
    }

    #[test]
    fn addresses_are_a_dimension_or_a_capital() {
        assert_eq!(
            Addresses::parse("health"),
            Ok(Addresses::Dimension("health".into()))
        );
        assert_eq!(
            Addresses::parse("ทุนการเงิน"),
            Ok(Addresses::Capital(Capital::Financial))
        );
        assert_eq!(
            Addresses::parse("Social"),
            Ok(Addresses::Capital(Capital::Social))
        );
        assert_eq!(Addresses::parse(" "), Ok(Addresses::Unspecified));
        let Err(Reason::OneOf { codes }) = Addresses::parse("happiness") else {
            panic!("an unknown code is refused");
        };
        assert!(codes.contains(&"living".to_string()) && codes.contains(&"natural".to_string()));
        assert_eq!(
            Addresses::Dimension("living".into()).label(Lang::En),
            "Living conditions"
        );
        assert_eq!(Addresses::Capital(Capital::Human).as_str(), "human");
        // Dimension ids and capital codes never collide, so a stored code reads back as one.
        for c in Addresses::codes() {
            assert_eq!(Addresses::parse(&c).unwrap().as_str(), c);
        }
    }

    #[test]
    fn an_episode_is_checked_whole() {
        let h = help("  ซ่อมหลังคา ", 1_500_000, d(2026, 3, 1)).unwrap();
        assert_eq!(h.what(), "ซ่อมหลังคา");
        assert_eq!(h.value_satang(), 1_500_000);
        let errors = help(" ", -1, d(2026, 3, 2)).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["what", "value_baht", "given_on"]);
        assert_eq!(
            errors[2].reason,
            Reason::InTheFuture {
                today: d(2026, 3, 1)
            }
        );
        let long = "ก".repeat(MAX_WHAT_CHARS + 1);
        assert!(matches!(
            help(&long, 0, d(2025, 1, 1)).unwrap_err()[0].reason,
            Reason::TextTooLong {
                max: MAX_WHAT_CHARS,
                ..
            }
        ));
        assert!(help(&"ก".repeat(MAX_WHAT_CHARS), 0, d(2025, 1, 1)).is_ok());
    }

    #[test]
    fn kinds_have_codes_and_labels() {
        assert_eq!(HelpKind::ALL.len(), 8);
        assert_eq!(HelpKind::parse("in-kind"), Some(HelpKind::InKind));
        assert_eq!(HelpKind::parse("ฝึกอบรม"), Some(HelpKind::Training));
        assert_eq!(HelpKind::Job.label(Lang::En), "Job");
    }
}
