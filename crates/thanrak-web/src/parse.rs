//! Path and query values parsed into the domain's types at the edge: the use cases of
//! `thanrak-app` take a `RoundLabel`, never text. A malformed value is the caller's mistake (400).

use thanrak_core::RoundLabel;

use crate::error::ApiError;

/// A round label from a path or query.
pub(crate) fn round(s: &str) -> Result<RoundLabel, ApiError> {
    RoundLabel::parse(s).map_err(|e| ApiError::invalid(format!("round label {s:?} {e}")))
}
