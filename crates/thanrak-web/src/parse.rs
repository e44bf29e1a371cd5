//! Path and query values parsed into the domain's types at the edge: the use cases of
//! `thanrak-app` take a `RoundLabel`, an `AreaCode` or a `HouseholdId`, never text. A malformed
//! round or area is the caller's mistake (400); a malformed household id is answered like an
//! unknown one (404), so that nothing is told about the ids there are.

use chrono::NaiveDate;
use thanrak_app::access::no_such_household;
use thanrak_core::area::AreaError;
use thanrak_core::identity::AgencyCode;
use thanrak_core::{AreaCode, AreaRegistry, HouseholdId, RoundLabel};

use crate::error::ApiError;

/// A round label from a path or query.
pub(crate) fn round(s: &str) -> Result<RoundLabel, ApiError> {
    RoundLabel::parse(s).map_err(|e| ApiError::invalid(format!("round label {s:?} {e}")))
}

/// An area from a path or query: a code of the official table, or the exact name of a
/// province, district or subdistrict (`AreaRegistry::known`). A well-formed code of no area is
/// "not found" (404), as the API document promises for a value that fits its pattern; a value
/// that is neither a code nor a name is malformed (400).
pub(crate) fn area(s: &str) -> Result<AreaCode, ApiError> {
    AreaRegistry::official().known(s).map_err(|e| match e {
        AreaError::Unknown(_) | AreaError::VillageZero => {
            ApiError::not_found(format!("area {s:?} {e}"))
        }
        _ => ApiError::invalid(format!("area {s:?} {e}")),
    })
}

/// An optional area code, where an empty value (as an HTML form sends it) is none.
pub(crate) fn area_or_none(s: Option<&str>) -> Result<Option<AreaCode>, ApiError> {
    s.filter(|a| !a.is_empty()).map(area).transpose()
}

/// A household id of `round` from a path: one that cannot exist is "not found", in the words
/// of one that does not.
pub(crate) fn household_id(round: &RoundLabel, s: &str) -> Result<HouseholdId, ApiError> {
    HouseholdId::parse(s).map_err(|_| no_such_household(round, s).into())
}

/// An optional date (YYYY-MM-DD), where an empty value is none.
pub(crate) fn date_or_none(field: &str, s: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    s.map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid(format!("{field} {d:?} is not a date (YYYY-MM-DD)")))
        })
        .transpose()
}

/// An agency's code.
pub(crate) fn agency(s: &str) -> Result<AgencyCode, ApiError> {
    AgencyCode::parse(s).map_err(|e| ApiError::invalid(format!("agency {s:?} {e}")))
}
