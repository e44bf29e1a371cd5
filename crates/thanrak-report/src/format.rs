//! Numbers as the reader reads them (thousands separators, fixed decimals), and text widths for
//! spreadsheet columns.

use crate::model::{Cell, WITHHELD_MARK};

/// Decimals beyond this are not written (f64 has about 15 significant digits).
const MAX_DECIMALS: u8 = 10;

/// `1234567` → "1,234,567"; `-1234` → "-1,234".
pub(crate) fn int(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_digits(&n.unsigned_abs().to_string()))
}

/// `1234567` → "1,234,567".
pub(crate) fn int_u(n: u64) -> String {
    group_digits(&n.to_string())
}

/// `1234.5` with 2 decimals → "1,234.50". The number must be finite.
pub(crate) fn num(value: f64, decimals: u8) -> String {
    let decimals = usize::from(decimals.min(MAX_DECIMALS));
    let written = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match written.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (written.as_str(), None),
    };
    // A negative number that rounds to zero is written without its sign.
    let is_zero = written.bytes().all(|b| b == b'0' || b == b'.');
    let sign = if value < 0.0 && !is_zero { "-" } else { "" };
    match fraction {
        Some(fraction) => format!("{sign}{}.{fraction}", group_digits(whole)),
        None => format!("{sign}{}", group_digits(whole)),
    }
}

/// A share as a percentage: `0.125` with 1 decimal → "12.5%".
pub(crate) fn percent(value: f64, decimals: u8) -> String {
    format!("{}%", num(value * 100.0, decimals))
}

/// A cell as the PDF shows it.
pub(crate) fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Int(n) => int(*n),
        Cell::Num { value, decimals } => num(*value, *decimals),
        Cell::Percent { value, decimals } => percent(*value, *decimals),
        Cell::Withheld => WITHHELD_MARK.to_owned(),
        Cell::Empty => String::new(),
    }
}

/// Inserts a comma every three digits from the right of a string of ASCII digits.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many columns a text takes on screen, roughly: Thai vowels and tone marks written above or
/// below a consonant take none, wide (East Asian) characters take two.
pub(crate) fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            // Thai: mai han-akat, the vowels above and below, phinthu, and the marks from
            // maitaikhu to yamakkan.
            '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' => 0,
            // Other combining marks and zero-width characters.
            '\u{0300}'..='\u{036F}' | '\u{200B}'..='\u{200F}' => 0,
            '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FF60}' => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_have_thousands_separators() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(1_234_567), "1,234,567");
        assert_eq!(int(-1234), "-1,234");
        assert_eq!(int(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn numbers_have_fixed_decimals() {
        assert_eq!(num(1234.5, 2), "1,234.50");
        assert_eq!(num(1234.5, 0), "1,234");
        assert_eq!(num(0.004, 2), "0.00");
        assert_eq!(num(-0.004, 2), "0.00");
        assert_eq!(num(-1_000_000.25, 1), "-1,000,000.2");
        assert_eq!(num(3.0, 200), "3.0000000000");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.125, 1), "12.5%");
        assert_eq!(percent(1.0, 0), "100%");
        assert_eq!(percent(12.5, 0), "1,250%");
    }

    #[test]
    fn thai_marks_take_no_width() {
        assert_eq!(display_width("abc"), 3);
        // น้ำ: consonant, tone mark, sara am.
        assert_eq!(display_width("น้ำ"), 2);
        assert_eq!(display_width("ครัวเรือน"), 7);
    }
}
