//! Dates as Thai users write them: ISO `YYYY-MM-DD` or `D/M/YYYY`, in the Buddhist Era (year > 2400,
//! 543 years ahead) or the Common Era; and completed years of age.

use chrono::{Datelike, NaiveDate};

/// The offset between the Buddhist Era and the Common Era.
pub const BE_OFFSET: i32 = 543;

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Neither `YYYY-MM-DD` nor `D/M/YYYY`.
    #[error("is not a date (use YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era)")]
    Format,
    /// A day that does not exist, such as 31 April.
    #[error("is not a day of the calendar")]
    NoSuchDay,
    /// A year outside 1800–2200 CE.
    #[error("has an implausible year")]
    Year,
}

/// Parses a date; years above 2400 are taken as Buddhist Era.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let s = s.trim();
    let parts: Vec<&str> = if s.contains('-') {
        s.split('-').collect()
    } else {
        let mut p: Vec<&str> = s.split('/').collect();
        p.reverse();
        p
    };
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Format);
    }
    if parts[0].len() != 4 || parts[1].len() > 2 || parts[2].len() > 2 {
        return Err(DateError::Format);
    }
    let mut year: i32 = parts[0].parse().map_err(|_| DateError::Format)?;
    let month: u32 = parts[1].parse().map_err(|_| DateError::Format)?;
    let day: u32 = parts[2].parse().map_err(|_| DateError::Format)?;
    if year > 2400 {
        year -= BE_OFFSET;
    }
    if !(1800..=2200).contains(&year) {
        return Err(DateError::Year);
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NoSuchDay)
}

/// Formats a date as ISO `YYYY-MM-DD` in the Common Era (the canonical export form).
pub fn format_iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Formats a date in the Buddhist Era as Thai readers expect it: `15 มิ.ย. 2566`.
pub fn format_thai(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "ม.ค.",
        "ก.พ.",
        "มี.ค.",
        "เม.ย.",
        "พ.ค.",
        "มิ.ย.",
        "ก.ค.",
        "ส.ค.",
        "ก.ย.",
        "ต.ค.",
        "พ.ย.",
        "ธ.ค.",
    ];
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[d.month0() as usize],
        d.year() + BE_OFFSET
    )
}

/// Completed years between `birth` and `on` (negative when `on` is before `birth`).
pub fn completed_years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn buddhist_and_common_era() {
        assert_eq!(parse_date("2566-06-15"), Ok(d(2023, 6, 15)));
        assert_eq!(parse_date("2023-06-15"), Ok(d(2023, 6, 15)));
        assert_eq!(parse_date("15/6/2566"), Ok(d(2023, 6, 15)));
        assert_eq!(parse_date(" 1/12/2023 "), Ok(d(2023, 12, 1)));
        assert_eq!(parse_date("2566-02-30"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date("15-06-2023"), Err(DateError::Format));
        assert_eq!(parse_date("yesterday"), Err(DateError::Format));
        assert_eq!(parse_date("0999-01-01"), Err(DateError::Year));
        assert_eq!(format_thai(d(2023, 6, 15)), "15 มิ.ย. 2566");
        assert_eq!(format_iso(d(2023, 6, 5)), "2023-06-05");
    }

    #[test]
    fn ages_in_completed_years() {
        assert_eq!(completed_years(d(2000, 6, 15), d(2023, 6, 15)), 23);
        assert_eq!(completed_years(d(2000, 6, 16), d(2023, 6, 15)), 22);
        assert_eq!(completed_years(d(2000, 2, 29), d(2023, 2, 28)), 22);
        assert_eq!(completed_years(d(2024, 1, 1), d(2023, 6, 15)), -1);
    }
}
