//! A cell's text as a typed [`FieldValue`] and back, and the errors of a cell.

use std::fmt;

use chrono::NaiveDate;

use super::columns::{Column, Kind, MAX_NAME_CHARS};
use crate::date;
use crate::reason::Reason;

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
    pub fn parse(kind: Kind, text: &str) -> Result<FieldValue, Reason> {
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
                    return Err(Reason::ControlCharacter);
                }
                Ok(FieldValue::Text(t.to_string()))
            }
            Kind::Flag => match t {
                "0" => Ok(FieldValue::Int(0)),
                "1" => Ok(FieldValue::Int(1)),
                _ => Err(Reason::NotFlag),
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
                    .ok_or(Reason::NotWholeNumber)?;
                if v < lo || v > hi {
                    return Err(Reason::Between {
                        lo: lo.to_string(),
                        hi: hi.to_string(),
                    });
                }
                Ok(FieldValue::Int(v))
            }
            Kind::Real(lo, hi) => {
                let v: f64 = t.replace(',', "").parse().map_err(|_| Reason::NotNumber)?;
                if !v.is_finite() || v < lo || v > hi {
                    return Err(Reason::Between {
                        lo: lo.to_string(),
                        hi: hi.to_string(),
                    });
                }
                Ok(FieldValue::Real(v))
            }
            Kind::Date => date::parse_date(t)
                .map(FieldValue::Date)
                .map_err(Reason::from),
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
    /// What is wrong.
    pub reason: Reason,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}: {}", self.column, self.value, self.reason)
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
                errors.push(FieldError {
                    column: c.name,
                    value: text.to_string(),
                    reason: Reason::TextTooLong {
                        chars: text.trim().chars().count(),
                        max,
                        name: max == MAX_NAME_CHARS,
                    },
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

#[cfg(test)]
mod length_tests {
    use super::*;
    use crate::schema::{HOUSEHOLD_COLUMNS, MAX_TEXT_CHARS, MEMBER_COLUMNS};

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
        let reasons: Vec<(&str, String)> = errors
            .iter()
            .map(|e| (e.column, e.reason.to_string()))
            .collect();
        let reasons: Vec<(&str, &str)> = reasons.iter().map(|(c, r)| (*c, r.as_str())).collect();
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
