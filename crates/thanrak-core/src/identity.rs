//! Who a user is and which households it may be shown: roles, login names, agency codes, the
//! stored user, and the [`Scope`] of areas a reader is kept inside. What each role may do is
//! decided in one place, `thanrak_app::policy`; the store turns a scope into SQL.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::AreaCode;

crate::labelled_enum!(
    /// What a user may do; the rules live in one place (`thanrak_app::policy`).
    pub enum Role {
        /// Manages users, sees everything including personal data and the audit log.
        Admin = "admin" / "ผู้ดูแลระบบ" / "Administrator",
        /// Reads aggregates only: never a household or a member.
        Analyst = "analyst" / "นักวิเคราะห์" / "Analyst",
        /// A provincial team: everything inside its provinces or districts, personal data included.
        AreaManager = "area_manager" / "ผู้จัดการพื้นที่" / "Area manager",
        /// A field surveyor: the households of its subdistricts or villages (writes come later).
        Surveyor = "surveyor" / "ผู้สำรวจ" / "Surveyor",
        /// An officer of a cooperating agency: the households referred to its agency.
        AgencyOfficer = "agency_officer" / "เจ้าหน้าที่หน่วยงาน" / "Agency officer",
    }
);

/// Why a user name or agency code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty after trimming.
    #[error("is empty")]
    Empty,
    /// Longer than the limit.
    #[error("is longer than {0} characters")]
    TooLong(usize),
    /// A character outside the allowed set.
    #[error("contains {0:?}: use letters a-z, digits and . _ - @")]
    BadChar(char),
}

fn parse_name(s: &str, max: usize) -> Result<String, NameError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(NameError::Empty);
    }
    if s.chars().count() > max {
        return Err(NameError::TooLong(max));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(NameError::BadChar(c));
    }
    Ok(s.to_ascii_lowercase())
}

/// A login name: ASCII letters, digits and `._-@`, at most 64 characters, kept in lower case so
/// that `Somchai` and `somchai` are one account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserName(String);

impl UserName {
    /// Parses, trims and lower-cases a user name.
    pub fn parse(s: &str) -> Result<UserName, NameError> {
        parse_name(s, 64).map(UserName)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The code of a cooperating agency (`codi`, `dasta`, `osmep`, …): the same alphabet as a user
/// name, at most 32 characters, lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Parses, trims and lower-cases an agency code.
    pub fn parse(s: &str) -> Result<AgencyCode, NameError> {
        parse_name(s, 32).map(AgencyCode)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored user (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The store's id of the user.
    pub id: i64,
    /// The login name.
    pub name: UserName,
    /// The role.
    pub role: Role,
    /// The areas the user is scoped to, by code.
    pub areas: Vec<AreaCode>,
    /// The agency the user works for.
    pub agency: Option<AgencyCode>,
    /// A disabled user cannot log in and its sessions and tokens are refused.
    pub disabled: bool,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

/// Which households a reader may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every household.
    All,
    /// The households whose village lies inside one of these areas (any level).
    Areas(Vec<AreaCode>),
    /// No household at all.
    None,
}

impl Scope {
    /// The areas of this scope narrowed to `area`, each read once: `None` when nothing narrows
    /// (every household), an empty list when nothing can match. Areas nested in another of the
    /// list are dropped; the list is sorted.
    pub fn narrowed(&self, area: Option<&AreaCode>) -> Option<Vec<AreaCode>> {
        let mut codes: Vec<AreaCode> = match (self, area) {
            (Scope::None, _) => Vec::new(),
            (Scope::All, None) => return None,
            (Scope::All, Some(a)) => vec![*a],
            (Scope::Areas(scope), None) => scope.clone(),
            (Scope::Areas(scope), Some(a)) => scope
                .iter()
                .filter_map(|s| {
                    if a.is_within(s) {
                        Some(*a)
                    } else if s.is_within(a) {
                        Some(*s)
                    } else {
                        None
                    }
                })
                .collect(),
        };
        let all = codes.clone();
        codes.retain(|c| !all.iter().any(|o| o != c && c.is_within(o)));
        codes.sort();
        codes.dedup();
        Some(codes)
    }

    /// Whether a household in `village` is inside the scope.
    pub fn contains(&self, village: &AreaCode) -> bool {
        match self {
            Scope::All => true,
            Scope::Areas(codes) => codes.iter().any(|c| village.is_within(c)),
            Scope::None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn narrowing_keeps_inside_the_scope() {
        assert_eq!(Scope::All.narrowed(None), None);
        assert_eq!(Scope::None.narrowed(Some(&code("52"))), Some(vec![]));
        assert_eq!(
            Scope::All.narrowed(Some(&code("5201"))),
            Some(vec![code("5201")])
        );
        let s = Scope::Areas(vec![code("5201"), code("52"), code("45")]);
        assert_eq!(s.narrowed(None), Some(vec![code("45"), code("52")]));
        assert_eq!(
            s.narrowed(Some(&code("520101"))),
            Some(vec![code("520101")])
        );
        assert_eq!(s.narrowed(Some(&code("10"))), Some(vec![]));
        assert!(s.contains(&code("52010101")) && !s.contains(&code("10010101")));
    }
}
