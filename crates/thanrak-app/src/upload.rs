//! Imports from the web: files are checked first (every row, the batch as a whole, and that each
//! household lies inside the uploader's areas) and shown as a report or a summary; only when the
//! user confirms is the batch loaded, and the rounds it touched scored again.
//!
//! | role | may import |
//! | --- | --- |
//! | admin | households anywhere |
//! | area_manager, surveyor | households inside its areas only (others are refused row by row) |
//! | analyst, agency_officer | nothing |

use std::path::PathBuf;

use thanrak_core::{AreaCode, RoundLabel};
pub use thanrak_io::Diagnostic;
use thanrak_store::{ImportSummary, Role, Scope, Store, StoreError, User};

use crate::access::AccessError;
use crate::scoring::{score_round, LoadedMethodology, ScoreSummary};
use crate::{check_files, load_checked, CheckedBatch};

/// What a check found.
#[derive(Debug, Clone)]
pub enum UploadCheck {
    /// Nothing can be loaded: every problem, by file and row.
    Rejected(Vec<Diagnostic>),
    /// Every row is valid and may be loaded.
    Ready {
        /// Households in the files.
        households: usize,
        /// Members in the files.
        members: usize,
        /// The rounds the files touch.
        rounds: Vec<RoundLabel>,
    },
}

/// What a confirmed upload did.
#[derive(Debug, Clone)]
pub enum UploadLoad {
    /// Refused (the store changed since the check): every problem, nothing written.
    Rejected(Vec<Diagnostic>),
    /// Loaded and scored.
    Loaded {
        /// What the store wrote.
        import: ImportSummary,
        /// One scoring run per round touched.
        scored: Vec<ScoreSummary>,
    },
}

/// The areas `user` may import into (`None`: anywhere), or why it may not import.
pub fn import_areas(user: &User) -> Result<Option<Vec<AreaCode>>, AccessError> {
    match user.role {
        Role::Admin => Ok(None),
        Role::AreaManager | Role::Surveyor => Ok(Some(user.areas.clone())),
        Role::Analyst | Role::AgencyOfficer => Err(AccessError::Forbidden(
            "only admins, area managers and surveyors import data".into(),
        )),
    }
}

fn outside(areas: &[AreaCode]) -> String {
    let list: Vec<String> = areas.iter().map(ToString::to_string).collect();
    format!("the village is outside your areas ({})", list.join(", "))
}

/// Checks the files as the command-line import does, and that every household lies inside the
/// user's areas, both as uploaded and as already stored (an upload may not move or overwrite a
/// household of another area). Writes nothing.
async fn check(store: &Store, user: &User, paths: &[PathBuf]) -> Result<CheckedBatch, AccessError> {
    let areas = import_areas(user)?;
    let mut batch = check_files(store, paths, &mut |_, _, _| {}).await?;
    if let Some(areas) = &areas {
        let inside = |v: &AreaCode| areas.iter().any(|a| v.is_within(a));
        for i in 0..batch.households.len() {
            let h = &batch.households[i];
            let problem = if !inside(&h.village_code) {
                Some((h.village_code.to_string(), outside(areas)))
            } else {
                match store
                    .scoped_household(&Scope::All, &h.round, &h.household_id)
                    .await
                {
                    Ok(stored) if !inside(&stored.village_code) => Some((
                        h.household_id.to_string(),
                        format!(
                            "this household is already recorded in village {}, outside your areas",
                            stored.village_code
                        ),
                    )),
                    Ok(_) | Err(StoreError::NotFound(_)) => None,
                    Err(e) => return Err(e.into()),
                }
            };
            if let Some((value, reason)) = problem {
                batch.reject_household(i, "village_code", value, reason);
            }
        }
    }
    Ok(batch)
}

/// Checks the files (see [`check`]) and says whether they may be loaded.
pub async fn check_upload(
    store: &Store,
    user: &User,
    paths: &[PathBuf],
) -> Result<UploadCheck, AccessError> {
    let batch = check(store, user, paths).await?;
    if !batch.diagnostics.is_empty() {
        return Ok(UploadCheck::Rejected(batch.sorted_diagnostics()));
    }
    Ok(UploadCheck::Ready {
        households: batch.households.len(),
        members: batch.members.len(),
        rounds: batch.rounds,
    })
}

/// Checks the files again and, when they pass, loads them in one transaction (households are
/// upserted, so loading the same files twice changes nothing) and scores each round touched.
pub async fn load_upload(
    store: &Store,
    lm: &LoadedMethodology,
    user: &User,
    paths: &[PathBuf],
) -> Result<UploadLoad, AccessError> {
    let batch = check(store, user, paths).await?;
    if !batch.diagnostics.is_empty() {
        return Ok(UploadLoad::Rejected(batch.sorted_diagnostics()));
    }
    let source = format!("upload by {}", user.name);
    let import = load_checked(store, &batch, &source, &mut |_, _, _| {}).await?;
    let mut scored = Vec::new();
    for r in &batch.rounds {
        scored.push(score_round(store, r.as_str(), lm, &mut |_, _, _| {}).await?);
    }
    Ok(UploadLoad::Loaded { import, scored })
}
