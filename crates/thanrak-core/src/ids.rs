//! Identifiers: the stable household id, the survey round label and the Thai national id.

use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The value was empty after trimming.
    #[error("is empty")]
    Empty,
    /// The value is longer than the limit.
    #[error("is longer than {0} characters")]
    TooLong(usize),
    /// The value holds a character that is not allowed.
    #[error("contains the character {0:?}, which is not allowed")]
    BadChar(char),
    /// A national id that is not 13 digits.
    #[error("must be 13 digits")]
    NationalIdLength,
    /// A national id whose check digit does not match.
    #[error("check digit is wrong (expected {expected})")]
    NationalIdCheck {
        /// The check digit the first 12 digits call for.
        expected: u8,
    },
}

fn parse_token(s: &str, max: usize, extra: &[char]) -> Result<String, IdError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.chars().count() > max {
        return Err(IdError::TooLong(max));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_alphanumeric() || extra.contains(c)))
    {
        return Err(IdError::BadChar(c));
    }
    Ok(s.to_string())
}

/// A household's id, stable across survey rounds: letters, digits and `-_./`, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HouseholdId(String);

impl HouseholdId {
    /// Parses and trims a household id.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        parse_token(s, 64, &['-', '_', '.', '/']).map(Self)
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The label of a survey round, such as `2566-1`: letters, digits and `-_.`, at most 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoundLabel(String);

impl RoundLabel {
    /// Parses and trims a round label.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        parse_token(s, 32, &['-', '_', '.']).map(Self)
    }
    /// The label as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoundLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Thai 13-digit national id whose last digit is the mod-11 check digit of the first twelve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NationalId([u8; 13]);

impl NationalId {
    /// Parses a national id; dashes and spaces (as in `1-2345-67890-12-3`) are ignored.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let mut digits = [0u8; 13];
        let mut n = 0;
        for c in s.chars().filter(|c| *c != '-' && *c != ' ') {
            let d = c.to_digit(10).ok_or(IdError::NationalIdLength)?;
            if n == 13 {
                return Err(IdError::NationalIdLength);
            }
            digits[n] = d as u8;
            n += 1;
        }
        if n != 13 {
            return Err(IdError::NationalIdLength);
        }
        let expected = Self::check_digit(&digits[..12]);
        if digits[12] != expected {
            return Err(IdError::NationalIdCheck { expected });
        }
        Ok(Self(digits))
    }

    /// The check digit for twelve leading digits: (11 − Σ dᵢ·(13 − i) mod 11) mod 10.
    pub fn check_digit(first12: &[u8]) -> u8 {
        let sum: u32 = first12
            .iter()
            .enumerate()
            .map(|(i, d)| u32::from(*d) * (13 - i as u32))
            .sum();
        ((11 - sum % 11) % 10) as u8
    }

    /// Builds a valid id from twelve leading digits, appending the check digit (used by demo data).
    pub fn from_first12(first12: [u8; 12]) -> Self {
        let mut digits = [0u8; 13];
        digits[..12].copy_from_slice(&first12);
        digits[12] = Self::check_digit(&first12);
        Self(digits)
    }

    /// The plain 13 digits.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// The id with all but the last four digits hidden, for roles that may not see it.
    pub fn masked(&self) -> String {
        let d = self.digits();
        format!("x-xxxx-xxxxx-{}-{}", &d[10..12], &d[12..])
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_id_check_digit() {
        // From the example round shipped with the methodology.
        for ok in [
            "4573661203302",
            "7560924083444",
            "2909404693519",
            "1-1037-02071-81-1",
        ] {
            assert!(NationalId::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            NationalId::parse("4573661203303"),
            Err(IdError::NationalIdCheck { expected: 2 })
        );
        assert_eq!(
            NationalId::parse("457366120330"),
            Err(IdError::NationalIdLength)
        );
        assert_eq!(
            NationalId::parse("45736612033021"),
            Err(IdError::NationalIdLength)
        );
        assert_eq!(
            NationalId::parse("45736612033a2"),
            Err(IdError::NationalIdLength)
        );
        let id = NationalId::from_first12([1, 1, 0, 3, 7, 0, 2, 0, 7, 1, 8, 1]);
        assert_eq!(id.digits(), "1103702071811");
        assert_eq!(id.masked(), "x-xxxx-xxxxx-81-1");
    }

    #[test]
    fn household_and_round_ids() {
        assert_eq!(HouseholdId::parse(" EX001 ").unwrap().as_str(), "EX001");
        assert_eq!(HouseholdId::parse(""), Err(IdError::Empty));
        assert_eq!(HouseholdId::parse("a b"), Err(IdError::BadChar(' ')));
        assert!(HouseholdId::parse(&"x".repeat(65)).is_err());
        assert_eq!(RoundLabel::parse("2566-1").unwrap().to_string(), "2566-1");
        assert!(RoundLabel::parse("2566/1").is_err());
    }
}
